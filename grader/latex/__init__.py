"""LaTeX exercises: KaTeX (the real engine, in process), Zenn-safe rules, equivalence, display.

Importing this package starts nothing; the engine starts on the first check.

- `engine`: KaTeX's katex.min.js in QuickJS (dukpy); parse errors, warnings, guards
- `lint`: Zenn-safe rules that KaTeX itself would accept
- `equivalence`: normalised MathML comparison and the first-difference explanation
- `render`: `to_unicode`, a readable approximation for terminals
- `feedback`: the caret excerpt under a parse error
"""

from __future__ import annotations

from grader.latex.render import to_unicode

__all__ = ["to_unicode"]
