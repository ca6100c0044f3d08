"""Reference solution: the Pass-1 template filled in for DDPM (Ho, Jain and Abbeel, 2020)."""


def paper_pass1():
    return {
        "title": "Denoising Diffusion Probabilistic Models",
        "authors": "Jonathan Ho, Ajay Jain, Pieter Abbeel",
        "year": 2020,
        "arxiv_id": "2006.11239",
        "problem": (
            "Generate high-quality images with a likelihood-based model that is stable to train."
        ),
        "prior_limits": (
            "GANs train unstably and cover modes poorly; likelihood models such as VAEs and "
            "flows gave blurrier samples, and diffusion models had not shown good samples."
        ),
        "proposal": (
            "Learn to reverse a fixed Gaussian noising process step by step, training a "
            "network to predict the added noise with a simple weighted denoising objective."
        ),
        "key_formula": (
            r"L_{\text{simple}}(\theta) = \mathbb{E}_{t, \mathbf{x}_0, \epsilon}"
            r"\left[ \left\| \epsilon - \epsilon_\theta\left(\sqrt{\bar{\alpha}_t}"
            r"\mathbf{x}_0 + \sqrt{1 - \bar{\alpha}_t}\epsilon, t\right) \right\|^2 \right]"
        ),
        "main_result": {"dataset": "CIFAR-10", "metric": "FID", "value": 3.17},
        "relevance": (
            "The noise-prediction objective is the basis of later diffusion models; reading it "
            "exercises expectations, Gaussians and the reparameterisation of lecture 1."
        ),
    }
