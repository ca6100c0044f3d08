"""Known-wrong Pass-1 templates for DDPM, named by `rubrics/paper_pass1.yaml`.

Only the fields the grader compares by value matter here (arXiv id, year, main result); the
free-text fields and the key formula are checked for presence, length and rendering only.
"""


def _template(**changes):
    filled = {
        "title": "Denoising Diffusion Probabilistic Models",
        "authors": "Jonathan Ho, Ajay Jain, Pieter Abbeel",
        "year": 2020,
        "arxiv_id": "2006.11239",
        "problem": "x" * 40,
        "prior_limits": "x" * 40,
        "proposal": "x" * 40,
        "key_formula": r"L = \mathbb{E}\left[ \left\| \epsilon - \epsilon_\theta \right\|^2 \right]",
        "main_result": {"dataset": "CIFAR-10", "metric": "FID", "value": 3.17},
        "relevance": "x" * 40,
    }
    filled.update(changes)
    return filled


def arxiv_with_version():
    return _template(arxiv_id="2006.11239v2")


def arxiv_as_url():
    return _template(arxiv_id="https://arxiv.org/abs/2006.11239")


def inception_score():
    return _template(main_result={"dataset": "CIFAR-10", "metric": "IS", "value": 9.46})


def year_as_text():
    return _template(year="2020")


def arxiv_with_prefix():
    return _template(arxiv_id="arXiv:2006.11239")


def value_as_text():
    return _template(main_result={"dataset": "CIFAR-10", "metric": "FID", "value": "3.17"})
