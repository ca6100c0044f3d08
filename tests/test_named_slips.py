"""Slips of real-world code, named exactly, in English and Japanese (issue 16).

Each wrong implementation below is written the way such code is found in courses, books and
student projects (its own names and idioms, never a copy of a variant in
``solutions/misconceptions/``). It runs through the real pipeline (child process, checks,
diagnosis, scoring) and must get its visible score and, on every visible failing case, the
exact sentence given here, in both languages: the hint when a known slip (misconception) is
named, or the last line of the message when a pattern (signature) or the raw-string rule is.
The correct implementations written other ways get full marks and are told nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.model import ExerciseResult, Outcome
from grader.plan import ExercisePlan
from grader.rubric import text_of

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Slip:
    """A wrong implementation and what every visible failing case must say about it."""

    exercise: str
    source: str
    #: the misconception or signature named on every visible failing case
    named: str
    #: the sentence, or the sentence per case name where cases differ
    en: str | dict[str, str]
    ja: str | dict[str, str]
    #: points of the visible cases
    score: float
    #: "hint" (a misconception or a case hint), "message" (its last line), "both" (raw string)
    where: str = "hint"
    hint_en: str = ""
    hint_ja: str = ""
    tags: tuple[str, ...] = field(default=())


def _visible(result: ExerciseResult) -> tuple[float, float]:
    cases = [c for c in result.cases if not c.hidden]
    return sum(c.score for c in cases), sum(c.max_score for c in cases)


# -- the sentences, as a student reads them -------------------------------------------------

MEAN_EN = (
    "your result equals the sum divided by the number of classes (np.mean instead of np.sum):"
    " code for a batch averages over the examples, but the classes of one prediction are added"
    " up; use np.sum"
)
MEAN_JA = (
    "和をクラス数で割った値（np.sum ではなく np.mean）と一致します。バッチ用のコードはサンプル"
    "について平均をとりますが、1 つの予測のクラスについては和をとります。np.sum を使ってください。"
)
SOFTMAX_OF_P_EN = (
    "your result equals the cross-entropy of softmax(y_pred): y_pred already holds"
    " probabilities, so do not apply softmax (or log-softmax) to it again; take"
    " log(y_pred + eps) directly"
)
SOFTMAX_OF_P_JA = (
    "softmax(y_pred) の交差エントロピーと一致します。y_pred はすでに確率なので、もう一度 softmax"
    "（や log-softmax）を適用せず、log(y_pred + eps) をそのまま使ってください。"
)
ARGMAX_EN = (
    "your result equals -log(y_pred[argmax(y_true)]), which is right only for a one-hot"
    " target: a soft target (label smoothing) weights every class, so add"
    " y_true * log(y_pred + eps) over all classes"
)
ARGMAX_JA = (
    "-log(y_pred[argmax(y_true)]) と一致します。これは正解ラベルが one-hot のときにしか正しく"
    "ありません。ソフトな正解ラベル（ラベル平滑化）ではすべてのクラスに重みがあるので、"
    "y_true * log(y_pred + eps) をすべてのクラスについて足してください。"
)
BINARY_EN = (
    "your result equals the binary cross-entropy -(y log p + (1 - y) log(1 - p)) added up (or"
    " averaged) over the classes: with several classes the (1 - y) log(1 - p) term does not"
    " belong; use -sum(y_true * log(y_pred + eps))"
)
BINARY_JA = (
    "2 値交差エントロピー -(y log p + (1 - y) log(1 - p)) をクラスについて足した（または平均した）"
    "値と一致します。多クラスの交差エントロピーに (1 - y) log(1 - p) の項はありません。"
    "-sum(y_true * log(y_pred + eps)) を使ってください。"
)
FIXED_EPS_EN = (
    "your result ignores the eps argument and uses a constant of its own (such as 1e-12 or"
    " 1e-7): use the eps the caller passes, log(y_pred + eps)"
)
FIXED_EPS_JA = (
    "引数 eps を使わず、自分で決めた定数（1e-12 や 1e-7 など）を使った結果と一致します。"
    "呼び出し側が渡す eps を使ってください（log(y_pred + eps)）。"
)
LOG10_EN = "your result equals the cross-entropy with log10: use the natural logarithm, np.log"
LOG10_JA = "log10 を使った交差エントロピーと一致します。自然対数 np.log を使ってください。"

X, BROADCAST, SIGMAS = "array x", "broadcasting x (4, 1) against mu (3,)", "array of sigmas"
SUMMED_EN = {
    X: "right values, summed: your result is one number, the sum of the values expected"
    " (shape (6,)); return one value per element, not their total",
    BROADCAST: "right values, summed: your result of shape (4,) is the values expected (shape"
    " (4, 3)) summed over axis -1; return one value per element (no sum at the end)",
    SIGMAS: "right values, summed: your result is one number, the sum of the values expected"
    " (shape (5,)); return one value per element, not their total",
}
SUMMED_JA = {
    X: "値は正しいのですが、足し合わされています。あなたの結果は 1 つの数値で、正しい値"
    "（形状 (6,)）の合計です。合計ではなく、要素ごとに 1 つの値を返してください。",
    BROADCAST: "値は正しいのですが、足し合わされています。形状 (4,) のあなたの結果は、正しい値"
    "（形状 (4, 3)）を軸 -1 に沿って足したものです。要素ごとに 1 つの値を返してください"
    "（最後の和をやめてください）。",
    SIGMAS: "値は正しいのですが、足し合わされています。あなたの結果は 1 つの数値で、正しい値"
    "（形状 (5,)）の合計です。合計ではなく、要素ごとに 1 つの値を返してください。",
}
ALL_SUMMED_EN = {**SUMMED_EN, BROADCAST: SUMMED_EN[X].replace("(6,)", "(4, 3)")}
ALL_SUMMED_JA = {**SUMMED_JA, BROADCAST: SUMMED_JA[X].replace("(6,)", "(4, 3)")}
LOGPDF_HINT_EN = (
    "compute -0.5 * (log(2*pi*sigma**2) + (x - mu)**2 / sigma**2) directly, with sigma the"
    " standard deviation"
)
LOGPDF_HINT_JA = (
    "sigma を標準偏差として、-0.5 * (log(2*pi*sigma**2) + (x - mu)**2 / sigma**2) を直接計算"
    "してください。"
)
TAIL = "far tail x = 40"
UNDERFLOW_LOG_EN = (
    "-inf only on the inputs of largest magnitude (up to 40), finite elsewhere: exp underflows"
    " to 0 there (exp(-800) is 0.0) and log(0) is -inf; do not take the log of an exp, write"
    " the log out by hand (log(exp(a)) = a)"
)
UNDERFLOW_LOG_JA = (
    "絶対値が最も大きい入力（最大 40）でだけ -inf になり、ほかは有限です。そこで exp が 0 に"
    "アンダーフローし（exp(-800) は 0.0 です）、log(0) は -inf です。exp の対数をとらず、"
    "対数を手で展開してください（log(exp(a)) = a）。"
)
LOG_OF_PDF_EN = (
    "your result equals log(pdf): in the tail the density underflows to 0 and log(0) = -inf;"
    " write the log-density directly, -0.5 * (log(2*pi*sigma**2) + (x - mu)**2 / sigma**2)"
)
LOG_OF_PDF_JA = (
    "log(pdf) と一致します。裾では確率密度が 0 にアンダーフローし、log(0) = -inf になります。"
    "対数確率密度 -0.5 * (log(2*pi*sigma**2) + (x - mu)**2 / sigma**2) を直接計算してください。"
)
VARIANCE_EN = (
    "your result uses sigma as the variance (log(2*pi*sigma) or (x - mu)**2 / sigma): sigma is"
    " the standard deviation, so the variance is sigma**2 in both terms"
)
VARIANCE_JA = (
    "sigma を分散として使っています（log(2*pi*sigma) や (x - mu)**2 / sigma）。sigma は"
    "標準偏差なので、どちらの項でも分散は sigma**2 です。"
)
LOG_BASE_EN = (
    "your result uses log10 or log2 where the natural logarithm belongs: the log-density uses"
    " np.log (ln) throughout"
)
LOG_BASE_JA = (
    "自然対数を使うべきところで log10 か log2 を使っています。対数確率密度では、どこでも np.log"
    "（自然対数）を使ってください。"
)
SEQUENTIAL_EN = (
    "your result equals one update per example, each starting from the theta the previous one"
    " left (plain SGD): a mini-batch step computes every gradient at the same theta, averages"
    " them and updates once"
)
SEQUENTIAL_JA = (
    "サンプルごとに 1 回ずつ、前の更新後の theta から更新した結果（1 サンプルずつの SGD）と"
    "一致します。ミニバッチ SGD では、すべての勾配を同じ theta で計算して平均し、1 回だけ"
    "更新します。"
)
ANGLE_EN = (
    "your result equals the angle between a and b (the arccos of the cosine, in degrees or"
    " radians): the similarity is the cosine itself, a @ b / (norm(a) * norm(b)); do not take"
    " arccos"
)
ANGLE_JA = (
    "a と b のなす角（コサインの arccos、度またはラジアン）と一致します。類似度はコサインそのもの"
    " a @ b / (norm(a) * norm(b)) です。arccos はとらないでください。"
)
EUCLID_EN = (
    "your result equals the Euclidean distance norm(a - b), not the cosine similarity: divide"
    " the dot product a @ b by norm(a) * norm(b)"
)
EUCLID_JA = (
    "ユークリッド距離 norm(a - b) と一致します。コサイン類似度は、内積 a @ b を norm(a) * norm(b)"
    " で割った値です。"
)
PEARSON_EN = (
    "your result equals the Pearson correlation (each vector centred on its mean first): the"
    " cosine similarity subtracts no mean; use a @ b / (norm(a) * norm(b)) on the vectors as"
    " given"
)
PEARSON_JA = (
    "ピアソンの相関係数（先に各ベクトルから平均を引いたもの）と一致します。コサイン類似度では"
    "平均を引きません。与えられたベクトルのまま a @ b / (norm(a) * norm(b)) を計算してください。"
)
LARGE, NEGATIVE, ROWS = (
    "large logits [1000, 1001, 1002]",
    "very negative logits [-1000, -999, -998]",
    "2-D rows on very different scales",
)
NO_SHIFT_OVER_EN = (
    "your result equals softmax computed without subtracting the maximum: exp(1000) overflows"
    " to inf and inf/inf is nan; subtract max(z) along the axis before exp (the result does"
    " not change)"
)
NO_SHIFT_OVER_JA = (
    "最大値を引かずに計算したソフトマックスと一致します。exp(1000) は inf にオーバーフローし、"
    "inf/inf は nan になります。exp の前に軸に沿って max(z) を引いてください"
    "（結果は変わりません）。"
)
NO_SHIFT_EN = {
    LARGE: NO_SHIFT_OVER_EN,
    NEGATIVE: "your result equals softmax computed without subtracting the maximum:"
    " exp(-1000) underflows to 0 and 0/0 is nan; subtract max(z) along the axis before exp"
    " (the largest exponent becomes 0)",
    ROWS: NO_SHIFT_OVER_EN,
}
NO_SHIFT_JA = {
    LARGE: NO_SHIFT_OVER_JA,
    NEGATIVE: "最大値を引かずに計算したソフトマックスと一致します。exp(-1000) は 0 に"
    "アンダーフローし、0/0 は nan になります。exp の前に軸に沿って max(z) を引いてください"
    "（指数の最大値が 0 になります）。",
    ROWS: NO_SHIFT_OVER_JA,
}
OVERFLOW_EN = (
    "nan/inf only on the inputs of largest magnitude (up to {big}), finite elsewhere: exp"
    " overflows to inf there (and inf/inf is nan); keep exp away from large arguments"
    " (subtract the maximum first, or stay in logs)"
)
OVERFLOW_JA = (
    "絶対値が最も大きい入力（最大 {big}）でだけ nan/inf になり、ほかは有限です。そこで exp が"
    " inf にオーバーフローしています（inf/inf は nan です）。exp に大きな値を渡さないでください"
    "（先に最大値を引くか、対数のまま計算します）。"
)
SIGNATURES_EN = {
    LARGE: OVERFLOW_EN.format(big=1002),
    NEGATIVE: "nan only on the inputs of largest magnitude (up to 1000), which are negative:"
    " exp of a very negative number underflows to 0 there, and 0/0 is nan; subtract the"
    " maximum first, so that the largest exponent is 0",
    ROWS: OVERFLOW_EN.format(big=1001),
    "2-D with axis=0 (columns)": "",
}
SIGNATURES_JA = {
    LARGE: OVERFLOW_JA.format(big=1002),
    NEGATIVE: "絶対値が最も大きい入力（最大 1000、負の値）でだけ nan になります。絶対値の大きい"
    "負の数の exp は 0 にアンダーフローし、0/0 は nan です。先に最大値を引いて、指数の最大値を"
    " 0 にしてください。",
    ROWS: OVERFLOW_JA.format(big=1001),
    "2-D with axis=0 (columns)": "",
}
RAW_HINT_EN = 'write the formula as a raw string, r"..." (the r keeps every backslash as written)'
RAW_HINT_JA = (
    '数式は raw 文字列 r"..." で書いてください（r を付けると、バックスラッシュが書いたとおりに'
    "残ります）。"
)


def _raw(char_en: str, char_ja: str, command: str) -> tuple[str, str]:
    escape = command[:2]
    return (
        f"your string holds a {char_en} where the formula has `{command}`: in a normal Python"
        f" string `{escape}` is an escape sequence, not a backslash and a letter",
        f"数式の `{command}` のところに{char_ja}が入っています。通常の Python の文字列では"
        f" `{escape}` がエスケープシーケンスになり、バックスラッシュと文字のままにはなりません。",
    )


TAB_TEXT = _raw("tab", "タブ文字", "\\text")
FORM_FEED = _raw("form feed", "改ページ文字", "\\frac")
NEWLINE = _raw("line break", "改行文字", "\\nabla")
RETURN = _raw("carriage return", "復帰文字", "\\right")

# -- slips found by a blind held-out set (bench/named_slips.py), each written another way

CROSS_ENTROPY_TERMS_NOT_SUMMED_EN = (
    "your result is the array of terms -y_true * log(y_pred + eps), one per class: the "
    "loss is their sum, one number; add them up with np.sum"
)
CROSS_ENTROPY_TERMS_NOT_SUMMED_JA = (
    "あなたの値は、クラスごとの項 -y_true * log(y_pred + eps) を並べた配列です。"
    "損失はそれらの和で、1 つの数値です。np.sum で足してください。"
)
COSINE_SIMILARITY_PRODUCTS_NOT_SUMMED_EN = (
    "your result is the array of products a_i * b_i divided by the norms, one per element: "
    "the numerator a^T b is their sum, one number; use a @ b (or np.dot(a, b))"
)
COSINE_SIMILARITY_PRODUCTS_NOT_SUMMED_JA = (
    "あなたの値は、要素ごとの積 a_i * b_i をノルムで割った配列です。分子 a^T b "
    "はそれらの和で、1 つの数値です。a @ b（または np.dot(a, b)）を使ってください。"
)
KL_DIVERGENCE_MEAN_NOT_SUM_EN = (
    "your result equals the sum divided by the number of entries (np.mean instead of "
    "np.sum): the divergence adds the terms q(x) log(q(x) / p(x)) over x; use np.sum"
)
KL_DIVERGENCE_MEAN_NOT_SUM_JA = (
    "和を要素数で割った値（np.sum ではなく np.mean）と一致します。ダイバージェンスは項 "
    "q(x) log(q(x) / p(x)) を x について足したものです。np.sum を使ってください。"
)
ATTENTION_OUTPUT_SCALED_EN = (
    "your result divides the output weights @ V by sqrt(d_k) instead of the scores: the "
    "scale goes inside the softmax, softmax(Q K^T / sqrt(d_k)), and V is not scaled"
)
ATTENTION_OUTPUT_SCALED_JA = (
    "スコアではなく出力 weights @ V を sqrt(d_k) で割っています。"
    "スケーリングはソフトマックスの中に入れ（softmax(Q K^T / sqrt(d_k))）、V "
    "はスケーリングしません。"
)
ATTENTION_SCALED_BY_D_V_EN = (
    "your weights equal softmax(Q K^T / sqrt(d_v)), with the last dimension of V: d_k is "
    "the last dimension of Q (and K), Q.shape[-1]"
)
ATTENTION_SCALED_BY_D_V_JA = (
    "weights が V の最後の次元を使った softmax(Q K^T / sqrt(d_v)) と一致します。d_k は "
    "Q（と K）の形状の最後の次元 Q.shape[-1] です。"
)
ATTENTION_WEIGHTS_FIRST_EN = (
    "your values are right but in the wrong order: return (output, weights), the output first"
)
ATTENTION_WEIGHTS_FIRST_JA = (
    "値は正しいのですが、順番が逆です。(output, weights) の順に、output を先にして返してください。"
)
ATTENTION_NO_MAX_SHIFT_EN = (
    "your weights are nan where the scores are large: exp overflows to inf and inf / inf "
    "is nan; subtract each row's maximum score before exp (the weights do not change)"
)
ATTENTION_NO_MAX_SHIFT_JA = (
    "スコアが大きい行で weights が nan になっています。exp が inf にオーバーフローし、inf "
    "/ inf が nan になるためです。exp の前に各行のスコアの最大値を引いてください（weights "
    "は変わりません）。"
)
SYMBOLS_IN_SUBSTRING_TABLE_ORDER_EN = (
    "your result equals [s for s in SYMBOLS if s in formula]: a plain substring test finds "
    "\\in inside \\infty, and the list follows the table; match whole commands (no letter "
    "after, (?![A-Za-z])) and order them by where they first appear"
)
SYMBOLS_IN_SUBSTRING_TABLE_ORDER_JA = (
    "[s for s in SYMBOLS if s in formula] と一致します。単純な部分文字列の判定では \\infty "
    "の中に \\in が見つかり、リストも表の順になります。"
    "コマンド全体で一致させ（直後に英字がないこと：(?![A-Za-z])）、"
    "数式の中で最初に現れる順に並べてください。"
)
SYMBOLS_IN_WHOLE_TOKENS_EN = (
    "your result looks only at the space-separated pieces of the formula: a symbol joined "
    "to other text (\\nabla_\\theta, \\frac{1}{2}) is missed; search for each command "
    "inside the string, e.g. with re.search"
)
SYMBOLS_IN_WHOLE_TOKENS_JA = (
    "数式を空白で区切った断片しか見ていません。ほかの文字とつながった記号（\\nabla_\\theta"
    "、\\frac{1}{2} など）を見落とします。re.search などで、"
    "文字列の中から各コマンドを探してください。"
)
SYMBOLS_IN_WORD_BOUNDARY_EN = (
    "your search ends each symbol with \\b, which needs a letter or digit on one side: "
    "after a } (\\mathcal{L}, \\text{softmax}) or before _ it fails; use (?![A-Za-z]) (no "
    "letter after) instead"
)
SYMBOLS_IN_WORD_BOUNDARY_JA = (
    "各記号の後ろに \\b を付けて探しています。\\b は片側に英数字が必要なので、} "
    "で終わる記号（\\mathcal{L}、\\text{softmax}）の後ろや _ の前では一致しません。"
    "代わりに (?![A-Za-z])（直後に英字がない）を使ってください。"
)
PAPER_PASS1_ARXIV_WITH_PREFIX_EN = (
    "write the arXiv identifier alone, 2006.11239, without the arXiv: prefix"
)
PAPER_PASS1_ARXIV_WITH_PREFIX_JA = (
    "arXiv ID は接頭辞 arXiv: を付けず、2006.11239 だけを書いてください。"
)
PAPER_PASS1_VALUE_AS_TEXT_EN = "the value of main_result is a number (3.17), not a string"
PAPER_PASS1_VALUE_AS_TEXT_JA = "main_result の value は文字列ではなく数値（3.17）で書いてください。"
FIT_LINEAR_REGRESSION_ONE_EPOCH_TOO_MANY_EN = (
    "your w and b equal epochs + 1 steps, one too many: loop for _ in range(epochs), one "
    "update per epoch"
)
FIT_LINEAR_REGRESSION_ONE_EPOCH_TOO_MANY_JA = (
    "w と b が epochs + 1 回の更新と一致し、1 回多くなっています。for _ in range(epochs) "
    "で、エポックごとに 1 回だけ更新してください。"
)
FIT_LINEAR_REGRESSION_SAME_GRADIENT_FOR_W_EN = (
    "your w moves by the gradient of b, 2 * mean(error): the gradient for w has the factor "
    "x, dL/dw = 2 * mean(error * x)"
)
FIT_LINEAR_REGRESSION_SAME_GRADIENT_FOR_W_JA = (
    "w を b の勾配 2 * mean(error) で更新しています。w の勾配には x が掛かります：dL/dw = "
    "2 * mean(error * x)"
)

COSINE_SIMILARITY_L1_NORMS_EN = (
    "your result divides a @ b by the L1 norms (sums of absolute values, ord=1): the cosine uses"
    " the Euclidean norms, np.linalg.norm(a) with its default ord"
)
COSINE_SIMILARITY_L1_NORMS_JA = (
    "a @ b を L1 ノルム（絶対値の和、ord=1）で割っています。コサイン類似度ではユークリッドノルム"
    "（既定の ord の np.linalg.norm(a)）を使います。"
)

NO_KEEPDIMS_EN = (
    "your rows are divided by the wrong sums: without keepdims=True, np.sum(e, axis=-1) has"
    " shape (n,), and broadcasting divides column j by the sum of row j (a square input runs,"
    " any other raises); use np.sum(e, axis=axis, keepdims=True)"
)
NO_KEEPDIMS_JA = (
    "各行が別の行の和で割られています。keepdims=True がないと np.sum(e, axis=-1) の形状は (n,) "
    "になり、ブロードキャストで列 j が行 j の和で割られます（正方形の入力では動き、それ以外では"
    "エラーになります）。np.sum(e, axis=axis, keepdims=True) を使ってください。"
)
SQUARE = "2-D square input, each row separately"
SQUARE_TAU = "2-D square input with tau 0.5"

SGD_FEATURES_EN = (
    "your result divides the summed gradient by X_batch.shape[1], the number of features: the"
    " batch size is the number of rows, X_batch.shape[0] (or len(X_batch))"
)
SGD_FEATURES_JA = (
    "勾配の和を、X_batch の形状の 2 番目の値 X_batch.shape[1]（特徴量の数）で割っています。"
    "バッチサイズは行の数 X_batch.shape[0]（または len(X_batch)）です。"
)

SLIPS = [
    # -- cross-entropy: batch code divided by the number of classes, with its own small eps
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    y_pred = np.clip(y_pred, 1e-7, 1 - 1e-7)\n"
            "    return -np.mean(y_true * np.log(y_pred))\n",
            "mean_not_sum",
            MEAN_EN,
            MEAN_JA,
            0,
        ),
        id="ce: Keras-style clip and mean",
    ),
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    n = y_true.shape[0]\n"
            "    loss = -np.sum(y_true * np.log(y_pred + 1e-9)) / n\n"
            "    return float(loss)\n",
            "mean_not_sum",
            MEAN_EN,
            MEAN_JA,
            0,
        ),
        id="ce: batch code divides by n, eps 1e-9",
    ),
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    total = 0.0\n"
            "    for t, p in zip(y_true, y_pred):\n"
            "        total += t * math.log(max(p, 1e-15))\n"
            "    return -total / len(y_true)\n",
            "mean_not_sum",
            MEAN_EN,
            MEAN_JA,
            0,
        ),
        id="ce: loop with a floor of 1e-15, then divided by the length",
    ),
    # -- cross-entropy: code written for logits, applied to probabilities
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    logits = y_pred - np.max(y_pred)\n"
            "    log_probs = logits - np.log(np.sum(np.exp(logits)))\n"
            "    return float(-np.sum(y_true * log_probs))\n",
            "softmax_of_probabilities",
            SOFTMAX_OF_P_EN,
            SOFTMAX_OF_P_JA,
            0,
        ),
        id="ce: log-softmax of the probabilities",
    ),
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    probs = np.exp(y_pred) / np.sum(np.exp(y_pred))\n"
            "    return float(-np.sum(y_true * np.log(probs + eps)))\n",
            "softmax_of_probabilities",
            SOFTMAX_OF_P_EN,
            SOFTMAX_OF_P_JA,
            0,
        ),
        id="ce: softmax first, then the log",
    ),
    # -- cross-entropy: argmax of the target
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    k = np.argmax(y_true)\n"
            "    return float(-np.log(y_pred[k] + eps))\n",
            "argmax_target",
            ARGMAX_EN,
            ARGMAX_JA,
            7,
        ),
        id="ce: the log-probability at the target's argmax",
    ),
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    label = int(y_true.argmax())\n"
            "    return -float(np.log(np.clip(y_pred, eps, 1.0))[label])\n",
            "argmax_target",
            ARGMAX_EN,
            ARGMAX_JA,
            7,
        ),
        id="ce: a label from argmax, clipped log",
    ),
    # -- cross-entropy: the binary formula, element-wise
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    p = np.clip(y_pred, eps, 1 - eps)\n"
            "    return float(-np.sum(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))\n",
            "binary",
            BINARY_EN,
            BINARY_JA,
            0,
        ),
        id="ce: binary cross-entropy summed",
    ),
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    p = np.clip(y_pred, 1e-7, 1 - 1e-7)\n"
            "    bce = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))\n"
            "    return float(bce.mean())\n",
            "binary",
            BINARY_EN,
            BINARY_JA,
            0,
        ),
        id="ce: binary cross-entropy averaged",
    ),
    # -- cross-entropy: eps hard-coded, the argument ignored
    pytest.param(
        Slip(
            "cross_entropy",
            "EPS = 1e-8\n\n"
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    return float(-np.sum(y_true * np.log(y_pred + EPS)))\n",
            "fixed_eps",
            FIXED_EPS_EN,
            FIXED_EPS_JA,
            5,
        ),
        id="ce: a module constant instead of eps",
    ),
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    safe = np.clip(y_pred, 1e-7, 1.0)\n"
            "    return float(-(y_true * np.log(safe)).sum())\n",
            "fixed_eps",
            FIXED_EPS_EN,
            FIXED_EPS_JA,
            5,
        ),
        id="ce: clipped at a floor of its own",
    ),
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    return float(-(y_true * np.log10(y_pred + eps)).sum())\n",
            "log10",
            LOG10_EN,
            LOG10_JA,
            0,
        ),
        id="ce: log10",
    ),
    # -- log-density: a reduction (joint log-likelihood)
    pytest.param(
        Slip(
            "log_normal_pdf",
            "def log_normal_pdf(x, mu, sigma):\n"
            "    x = np.atleast_1d(x)\n"
            "    lp = -0.5 * np.log(2 * np.pi * sigma ** 2) - (x - mu) ** 2 / (2 * sigma ** 2)\n"
            "    return lp.sum(axis=-1)\n",
            "reduced",
            SUMMED_EN,
            SUMMED_JA,
            5,
            where="message",
            hint_en=LOGPDF_HINT_EN,
            hint_ja=LOGPDF_HINT_JA,
        ),
        id="log-pdf: summed over the last axis (no loops, no float(), no loop hint)",
    ),
    pytest.param(
        Slip(
            "log_normal_pdf",
            "def log_normal_pdf(x, mu, sigma):\n"
            "    terms = -0.5 * np.log(2 * np.pi * sigma ** 2) - (x - mu) ** 2 / (2 * sigma ** 2)\n"
            "    return np.sum(terms)\n",
            "reduced",
            ALL_SUMMED_EN,
            ALL_SUMMED_JA,
            5,
            where="message",
            hint_en=LOGPDF_HINT_EN,
            hint_ja=LOGPDF_HINT_JA,
        ),
        id="log-pdf: total log-likelihood",
    ),
    # -- log-density: log of the density, underflowing in the far tail
    pytest.param(
        Slip(
            "log_normal_pdf",
            "def log_normal_pdf(x, mu, sigma):\n"
            "    pdf = np.exp(-(x - mu) ** 2 / (2 * sigma ** 2)) / np.sqrt(2 * np.pi) * sigma\n"
            "    return np.log(pdf)\n",
            "underflow_log",
            {TAIL: UNDERFLOW_LOG_EN},
            {TAIL: UNDERFLOW_LOG_JA},
            2,
            where="message",
            tags=("partial",),
        ),
        id="log-pdf: log of a pdf with a precedence slip (underflow, not log(0))",
    ),
    pytest.param(
        Slip(
            "log_normal_pdf",
            "def _pdf(x, mu, sigma):\n"
            "    return np.exp(-((x - mu) / sigma) ** 2 / 2) / (sigma * np.sqrt(2 * np.pi))\n\n\n"
            "def log_normal_pdf(x, mu, sigma):\n"
            "    return np.log(_pdf(x, mu, sigma))\n",
            "log_of_pdf",
            LOG_OF_PDF_EN,
            LOG_OF_PDF_JA,
            8,
        ),
        id="log-pdf: log of a helper pdf",
    ),
    # -- log-density: sigma used as the variance; log10/log2
    pytest.param(
        Slip(
            "log_normal_pdf",
            "def log_normal_pdf(x, mu, sigma):\n"
            "    return -0.5 * np.log(2 * np.pi * sigma) - (x - mu) ** 2 / (2 * sigma ** 2)\n",
            "sigma_as_variance",
            VARIANCE_EN,
            VARIANCE_JA,
            4,
        ),
        id="log-pdf: sigma as the variance in the log",
    ),
    pytest.param(
        Slip(
            "log_normal_pdf",
            "def log_normal_pdf(x, mu, sigma):\n"
            "    var = sigma ** 2\n"
            "    return -0.5 * np.log(2 * np.pi * var) - (x - mu) ** 2 / (2 * sigma)\n",
            "sigma_as_variance",
            VARIANCE_EN,
            VARIANCE_JA,
            4,
        ),
        id="log-pdf: sigma as the variance in the square",
    ),
    pytest.param(
        Slip(
            "log_normal_pdf",
            "def log_normal_pdf(x, mu, sigma):\n"
            "    var = sigma ** 2\n"
            "    return -0.5 * np.log10(2 * np.pi * var) - (x - mu) ** 2 / (2 * var)\n",
            "log_base",
            LOG_BASE_EN,
            LOG_BASE_JA,
            0,
        ),
        id="log-pdf: log10 in the normaliser",
    ),
    pytest.param(
        Slip(
            "log_normal_pdf",
            "def log_normal_pdf(x, mu, sigma):\n"
            "    z = (x - mu) / sigma\n"
            "    return -0.5 * z ** 2 - 0.5 * np.log2(2 * np.pi * sigma ** 2)\n",
            "log_base",
            LOG_BASE_EN,
            LOG_BASE_JA,
            0,
        ),
        id="log-pdf: log2 in the normaliser",
    ),
    # -- SGD: one update per example
    pytest.param(
        Slip(
            "sgd_step",
            "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
            "    theta = theta.copy()\n"
            "    for x_i, y_i in zip(X_batch, y_batch):\n"
            "        theta = theta - alpha * grad_fn(theta, x_i, y_i)\n"
            "    return theta\n",
            "sequential",
            SEQUENTIAL_EN,
            SEQUENTIAL_JA,
            0,
        ),
        id="sgd: one update per example (the default alpha is used, no default-alpha hint)",
    ),
    pytest.param(
        Slip(
            "sgd_step",
            "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
            "    new_theta = np.array(theta, dtype=float)\n"
            "    n = len(y_batch)\n"
            "    for i in range(n):\n"
            "        new_theta -= (alpha / n) * grad_fn(new_theta, X_batch[i], y_batch[i])\n"
            "    return new_theta\n",
            "sequential",
            SEQUENTIAL_EN,
            SEQUENTIAL_JA,
            0,
        ),
        id="sgd: per-example steps of alpha / n",
    ),
    pytest.param(
        Slip(
            "sgd_step",
            "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
            "    params = theta.astype(float)\n"
            "    for i in range(X_batch.shape[0]):\n"
            "        step = alpha * grad_fn(params, X_batch[i], y_batch[i])\n"
            "        params = params - step\n"
            "    return params\n",
            "sequential",
            SEQUENTIAL_EN,
            SEQUENTIAL_JA,
            0,
        ),
        id="sgd: an index loop that updates as it goes",
    ),
    pytest.param(
        Slip(
            "sgd_step",
            "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.1):\n"
            "    g = np.mean([grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch)], axis=0)\n"
            "    return theta - alpha * g\n",
            "",
            "when alpha is not given, use the default 0.01 from the signature",
            "alpha が渡されないときは、関数の定義にある既定値 0.01 を使ってください。",
            5,
        ),
        id="sgd: a default learning rate of 0.1 (the default-alpha hint fits)",
    ),
    pytest.param(
        Slip(
            "sgd_step",
            "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
            "    grads = np.array([grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch)])\n"
            "    return theta - alpha * grads.mean()\n",
            "",
            "average grad_fn(theta, x_i, y_i) over the batch, then return theta - alpha * mean",
            "バッチ全体で grad_fn(theta, x_i, y_i) を平均し、その平均勾配に alpha を掛けて"
            " theta から引いた値を返してください。",
            0,
        ),
        id="sgd: the mean of every number, default alpha used (the exercise's hint everywhere)",
    ),
    # -- cosine similarity: the angle, a distance, a correlation
    pytest.param(
        Slip(
            "cosine_similarity",
            "def cosine_similarity(a, b):\n"
            "    c = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))\n"
            "    return np.degrees(np.arccos(np.clip(c, -1, 1)))\n",
            "angle",
            ANGLE_EN,
            ANGLE_JA,
            0,
        ),
        id="cosine: the angle in degrees",
    ),
    pytest.param(
        Slip(
            "cosine_similarity",
            "def cosine_similarity(a, b):\n"
            "    c = float(a @ b) / math.sqrt(float(a @ a) * float(b @ b))\n"
            "    return math.acos(max(-1.0, min(1.0, c)))\n",
            "angle",
            ANGLE_EN,
            ANGLE_JA,
            0,
        ),
        id="cosine: the angle in radians (math.acos)",
    ),
    pytest.param(
        Slip(
            "cosine_similarity",
            "def cosine_similarity(a, b):\n    return float(np.sqrt(np.sum((a - b) ** 2)))\n",
            "euclidean",
            EUCLID_EN,
            EUCLID_JA,
            0,
        ),
        id="cosine: the Euclidean distance",
    ),
    pytest.param(
        Slip(
            "cosine_similarity",
            "def cosine_similarity(a, b):\n    return float(np.corrcoef(a, b)[0, 1])\n",
            "pearson",
            PEARSON_EN,
            PEARSON_JA,
            2,
        ),
        id="cosine: np.corrcoef",
    ),
    pytest.param(
        Slip(
            "cosine_similarity",
            "def cosine_similarity(a, b):\n"
            "    da, db = a - a.mean(), b - b.mean()\n"
            "    return float(da @ db / (np.linalg.norm(da) * np.linalg.norm(db)))\n",
            "pearson",
            PEARSON_EN,
            PEARSON_JA,
            2,
        ),
        id="cosine: centred vectors",
    ),
    # -- softmax: overflow on large logits, underflow on very negative ones
    pytest.param(
        Slip(
            "softmax",
            "def softmax(z, axis=-1):\n"
            "    z = np.asarray(z, dtype=float)\n"
            "    num = np.exp(z)\n"
            "    den = np.sum(num, axis=axis, keepdims=True)\n"
            "    return num / den\n",
            "no_max_shift",
            NO_SHIFT_EN,
            NO_SHIFT_JA,
            8,
        ),
        id="softmax: no shift (underflow named on the very negative logits)",
    ),
    pytest.param(
        Slip(
            "softmax",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z)\n"
            "    return e / e.sum(axis=-1, keepdims=True)\n",
            "overflow/underflow",
            SIGNATURES_EN,
            SIGNATURES_JA,
            7,
            where="message",
            tags=("partial",),
        ),
        id="softmax: no shift and the last axis only (overflow and underflow signatures)",
    ),
    # -- LaTeX in a normal (not raw) Python string
    pytest.param(
        Slip(
            "latex_formulas",
            'CROSS_ENTROPY = "\\mathcal{L}_{\\text{CE}} = -\\sum_{i=1}^{C} y_i \\log \\hat{y}_i"\n',
            "raw_string",
            TAB_TEXT[0],
            TAB_TEXT[1],
            8,
            where="both",
            hint_en=RAW_HINT_EN,
            hint_ja=RAW_HINT_JA,
        ),
        id="latex: \\text read as a tab",
    ),
    pytest.param(
        Slip(
            "latex_formulas",
            "ATTENTION = (\n"
            '    r"\\text{Attention}(Q, K, V) = \\text{softmax}\\left("\n'
            '    "\\frac{QK^\\\\top}{\\\\sqrt{d_k}}\\\\right)V"\n'
            ")\n",
            "raw_string",
            FORM_FEED[0],
            FORM_FEED[1],
            8,
            where="both",
            hint_en=RAW_HINT_EN,
            hint_ja=RAW_HINT_JA,
        ),
        id="latex: \\frac read as a form feed",
    ),
    pytest.param(
        Slip(
            "latex_formulas",
            'GRADIENT_DESCENT = "\\\\theta^{(t+1)} = \\\\theta^{(t)} - \\\\alpha \\nabla_\\\\theta'
            ' \\\\mathcal{L}(\\\\theta^{(t)})"\n',
            "raw_string",
            NEWLINE[0],
            NEWLINE[1],
            8,
            where="both",
            hint_en=RAW_HINT_EN,
            hint_ja=RAW_HINT_JA,
        ),
        id="latex: \\nabla read as a line break",
    ),
    pytest.param(
        Slip(
            "latex_formulas",
            "ELBO = (\n"
            '    r"\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(\\mathbf{z}|\\mathbf{x})}"\n'
            '    " \\\\left[ \\\\log p_\\\\theta(\\\\mathbf{x}|\\\\mathbf{z}) \\right]"\n'
            '    r" - D_{\\text{KL}}(q_\\phi(\\mathbf{z}|\\mathbf{x}) \\| p(\\mathbf{z}))"\n'
            ")\n",
            "raw_string",
            RETURN[0],
            RETURN[1],
            8,
            where="both",
            hint_en=RAW_HINT_EN,
            hint_ja=RAW_HINT_JA,
        ),
        id="latex: \\right read as a carriage return",
    ),
    # -- slips found by a blind held-out set (bench/named_slips.py)
    pytest.param(
        Slip(
            "softmax",
            "def softmax(z, axis=-1):\n"
            "    total = math.fsum(math.exp(v) for v in z)\n"
            "    return np.array([math.exp(v) / total for v in z])\n",
            "",
            {
                "large logits [1000, 1001, 1002]": "exp(1000) overflows to inf; subtract max(z)"
                " before exp (the result does not change)",
                "very negative logits [-1000, -999, -998]": "exp(-1000) underflows to 0 and 0/0"
                " is nan; subtracting max(z) fixes this too",
            },
            {
                "large logits [1000, 1001, 1002]": "exp(1000) は inf にオーバーフローします。"
                "exp の前に max(z) を引いてください（結果は変わりません）。",
                "very negative logits [-1000, -999, -998]": "exp(-1000) は 0 にアンダーフローし、"
                "0/0 は nan になります。これも max(z) を引けば解決します。",
            },
            4,
            tags=("partial",),
        ),
        id="softmax: math.exp raises (OverflowError, ZeroDivisionError): the cases' hints fit",
    ),
    pytest.param(
        Slip(
            "sgd_step",
            "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
            "    n_samples, n_features = X_batch.shape\n"
            "    g = np.zeros(n_features)\n"
            "    for row, target in zip(X_batch, y_batch):\n"
            "        g += grad_fn(theta, row, target)\n"
            "    return theta - alpha * g / n_features\n",
            "divides_by_features",
            SGD_FEATURES_EN,
            SGD_FEATURES_JA,
            1,
        ),
        id="sgd: the mean over the features (shape[1]) instead of the batch",
    ),
    pytest.param(
        Slip(
            "log_normal_pdf",
            "def log_normal_pdf(x, mu, sigma):\n"
            "    norm = math.log(math.sqrt(2 * math.pi) * sigma)\n"
            "    return -norm - (x - mu) ** 2 / (2 * sigma**2)\n",
            "",
            "sigma may be an array: math.log and math.sqrt take one number, so use np.log (and"
            " np.pi), which work element by element",
            "sigma は配列のこともあります。math.log や math.sqrt は 1 つの数値しか"
            "受け取らないので、要素ごとに計算できる np.log（と np.pi）を使ってください。",
            9,
        ),
        id="log-pdf: math.log of sigma (the case's hint for an array of sigmas fits)",
    ),
    pytest.param(
        Slip(
            "softmax",
            "def softmax(z, axis=-1):\n"
            "    ex = np.exp(z - z.max(axis=axis, keepdims=True))\n"
            "    return ex / ex.sum(axis)\n",
            "no_keepdims",
            {SQUARE: NO_KEEPDIMS_EN},
            {SQUARE: NO_KEEPDIMS_JA},
            8,
            tags=("partial",),
        ),
        id="softmax: keepdims on the max only (a square input runs, wrongly)",
    ),
    pytest.param(
        Slip(
            "softmax_temperature",
            "def softmax_temperature(z, tau=1.0, axis=-1):\n"
            "    scaled = z / tau\n"
            "    scaled = scaled - np.amax(scaled, axis=axis)\n"
            "    p = np.exp(scaled)\n"
            "    return p / np.sum(p, axis=axis)\n",
            "no_keepdims",
            {SQUARE_TAU: NO_KEEPDIMS_EN},
            {SQUARE_TAU: NO_KEEPDIMS_JA},
            9,
            tags=("partial",),
        ),
        id="temperature: no keepdims at all (a square input runs, wrongly)",
    ),
    pytest.param(
        Slip(
            "cosine_similarity",
            "def cosine_similarity(a, b):\n"
            "    n1 = np.linalg.norm(a, ord=1)\n"
            "    n2 = np.linalg.norm(b, ord=1)\n"
            "    return float(a.dot(b) / (n1 * n2))\n",
            "l1_norms",
            COSINE_SIMILARITY_L1_NORMS_EN,
            COSINE_SIMILARITY_L1_NORMS_JA,
            0,
        ),
        id="cosine: np.linalg.norm with ord=1",
    ),
    pytest.param(
        Slip(
            "cross_entropy",
            "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
            "    log_p = np.log(y_pred + eps)\n"
            "    losses = -y_true * log_p\n"
            "    return losses\n",
            "terms_not_summed",
            CROSS_ENTROPY_TERMS_NOT_SUMMED_EN,
            CROSS_ENTROPY_TERMS_NOT_SUMMED_JA,
            0,
        ),
        id="ce: the per-class losses, never added up",
    ),
    pytest.param(
        Slip(
            "cosine_similarity",
            "def cosine_similarity(a, b):\n"
            "    na = np.sqrt(np.sum(a ** 2))\n"
            "    nb = np.sqrt(np.sum(b ** 2))\n"
            "    return np.multiply(a, b) / (na * nb)\n",
            "products_not_summed",
            COSINE_SIMILARITY_PRODUCTS_NOT_SUMMED_EN,
            COSINE_SIMILARITY_PRODUCTS_NOT_SUMMED_JA,
            0,
        ),
        id="cosine: element-wise products over the norms",
    ),
    pytest.param(
        Slip(
            "kl_divergence",
            "def kl_divergence(q, p, eps=1e-12):\n"
            "    out = np.zeros(len(q))\n"
            "    for i in range(len(q)):\n"
            "        if q[i] > 0:\n"
            "            out[i] = q[i] * math.log((q[i] + eps) / (p[i] + eps))\n"
            "    return float(out.mean())\n",
            "mean_not_sum",
            KL_DIVERGENCE_MEAN_NOT_SUM_EN,
            KL_DIVERGENCE_MEAN_NOT_SUM_JA,
            1,
        ),
        id="kl: np.mean of the masked terms",
    ),
    pytest.param(
        Slip(
            "attention",
            "def attention(Q, K, V):\n"
            "    d = Q.shape[1]\n"
            "    scores = np.einsum('id,jd->ij', Q, K)\n"
            "    scores = scores - scores.max(axis=1, keepdims=True)\n"
            "    w = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)\n"
            "    return np.dot(w, V) / math.sqrt(d), w\n",
            "output_scaled",
            ATTENTION_OUTPUT_SCALED_EN,
            ATTENTION_OUTPUT_SCALED_JA,
            0,
        ),
        id="attention: V's output divided by sqrt(d_k)",
    ),
    pytest.param(
        Slip(
            "attention",
            "def attention(Q, K, V):\n"
            "    n_v, d_v = V.shape\n"
            "    s = np.matmul(Q, K.T) * (1.0 / np.sqrt(d_v))\n"
            "    s -= np.max(s, axis=-1, keepdims=True)\n"
            "    a = np.exp(s)\n"
            "    a /= np.sum(a, axis=-1, keepdims=True)\n"
            "    return a @ V, a\n",
            "scaled_by_d_v",
            ATTENTION_SCALED_BY_D_V_EN,
            ATTENTION_SCALED_BY_D_V_JA,
            5,
        ),
        id="attention: scaled by the width of V",
    ),
    pytest.param(
        Slip(
            "attention",
            "def attention(Q, K, V):\n"
            "    scale = 1 / np.sqrt(K.shape[-1])\n"
            "    logits = Q @ K.T * scale\n"
            "    probs = np.exp(logits - logits.max(-1, keepdims=True))\n"
            "    probs = probs / probs.sum(-1, keepdims=True)\n"
            "    context = probs @ V\n"
            "    return probs, context\n",
            "weights_first",
            ATTENTION_WEIGHTS_FIRST_EN,
            ATTENTION_WEIGHTS_FIRST_JA,
            0,
        ),
        id="attention: returns (weights, output)",
    ),
    pytest.param(
        Slip(
            "attention",
            "def attention(Q, K, V):\n"
            "    s = Q @ K.T / np.sqrt(Q.shape[-1])\n"
            "    w = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)\n"
            "    return w @ V, w\n",
            "no_max_shift",
            ATTENTION_NO_MAX_SHIFT_EN,
            ATTENTION_NO_MAX_SHIFT_JA,
            7,
        ),
        id="attention: softmax without the max shift",
    ),
    pytest.param(
        Slip(
            "symbols_in",
            "import re\n"
            "\n"
            "SYMBOLS = (r'\\theta', r'\\phi', r'\\mu', r'\\sigma', r'\\nabla', r'\\mathcal{L}',\n"
            "    r'\\mathbb{E}', r'\\sum', r'\\prod', r'\\partial', r'\\alpha', r'\\epsilon',\n"
            "    r'\\lambda', r'\\mathbb{R}', r'\\in', r'\\forall', r'\\exists', r'\\sqrt',\n"
            "    r'\\frac', r'\\log', r'\\exp', r'\\top', r'\\text{softmax}')\n"
            "\n"
            "def symbols_in(formula):\n"
            "    result = []\n"
            "    for sym in SYMBOLS:\n"
            "        if formula.find(sym) != -1:\n"
            "            result.append(sym)\n"
            "    return result\n",
            "substring_table_order",
            SYMBOLS_IN_SUBSTRING_TABLE_ORDER_EN,
            SYMBOLS_IN_SUBSTRING_TABLE_ORDER_JA,
            2,
        ),
        id="symbols: `in` on the string, table order",
    ),
    pytest.param(
        Slip(
            "symbols_in",
            "import re\n"
            "\n"
            "SYMBOLS = (r'\\theta', r'\\phi', r'\\mu', r'\\sigma', r'\\nabla', r'\\mathcal{L}',\n"
            "    r'\\mathbb{E}', r'\\sum', r'\\prod', r'\\partial', r'\\alpha', r'\\epsilon',\n"
            "    r'\\lambda', r'\\mathbb{R}', r'\\in', r'\\forall', r'\\exists', r'\\sqrt',\n"
            "    r'\\frac', r'\\log', r'\\exp', r'\\top', r'\\text{softmax}')\n"
            "\n"
            "def symbols_in(formula):\n"
            "    seen = []\n"
            "    for word in re.split(r'\\s+', formula.strip()):\n"
            "        if word in SYMBOLS and word not in seen:\n"
            "            seen.append(word)\n"
            "    return seen\n",
            "whole_tokens",
            SYMBOLS_IN_WHOLE_TOKENS_EN,
            SYMBOLS_IN_WHOLE_TOKENS_JA,
            1,
        ),
        id="symbols: whole space-separated tokens",
    ),
    pytest.param(
        Slip(
            "symbols_in",
            "import re\n"
            "\n"
            "SYMBOLS = (r'\\theta', r'\\phi', r'\\mu', r'\\sigma', r'\\nabla', r'\\mathcal{L}',\n"
            "    r'\\mathbb{E}', r'\\sum', r'\\prod', r'\\partial', r'\\alpha', r'\\epsilon',\n"
            "    r'\\lambda', r'\\mathbb{R}', r'\\in', r'\\forall', r'\\exists', r'\\sqrt',\n"
            "    r'\\frac', r'\\log', r'\\exp', r'\\top', r'\\text{softmax}')\n"
            "\n"
            "def symbols_in(formula):\n"
            "    pattern = '|'.join(re.escape(s) for s in SYMBOLS)\n"
            "    out = []\n"
            "    for m in re.finditer('(' + pattern + r')\\b', formula):\n"
            "        if m.group(1) not in out:\n"
            "            out.append(m.group(1))\n"
            "    return out\n",
            "word_boundary",
            SYMBOLS_IN_WORD_BOUNDARY_EN,
            SYMBOLS_IN_WORD_BOUNDARY_JA,
            1,
        ),
        id="symbols: \\b after each command",
    ),
    pytest.param(
        Slip(
            "paper_pass1",
            "def paper_pass1():\n"
            "    info = dict(title='Denoising Diffusion Probabilistic Models (DDPM)',\n"
            "        authors='J. Ho, A. Jain, P. Abbeel', year=2020, arxiv_id='arXiv:2006.11239')\n"
            "    info['problem'] = 'high quality image synthesis with a likelihood model'\n"
            "    info['prior_limits'] = 'GANs are hard to train; VAEs give blurry samples'\n"
            "    info['proposal'] = 'learn to undo a fixed Gaussian noising chain'\n"
            "    info['key_formula'] = (r'\\mathbf{x}_{t-1} = \\mu_\\theta(\\mathbf{x}_t, t)'\n"
            "        r' + \\sigma_t \\mathbf{z}')\n"
            "    info['main_result'] = {'dataset': 'CIFAR-10', 'metric': 'FID', 'value': 3.17}\n"
            "    info['relevance'] = 'diffusion models now drive most image generators'\n"
            "    return info\n",
            "arxiv_with_prefix",
            PAPER_PASS1_ARXIV_WITH_PREFIX_EN,
            PAPER_PASS1_ARXIV_WITH_PREFIX_JA,
            0,
        ),
        id="paper: arXiv: prefix on the identifier",
    ),
    pytest.param(
        Slip(
            "paper_pass1",
            "def paper_pass1():\n"
            "    return {'title': 'Denoising Diffusion Probabilistic Models',\n"
            "        'authors': 'Ho, Jain, Abbeel', 'year': 2020, 'arxiv_id': '2006.11239',\n"
            "        'problem': '拡散過程を逆にたどって高品質な画像を生成する問題',\n"
            "        'prior_limits': 'GAN は学習が不安定で、尤度ベースのモデルは画質が低かった',\n"
            "        'proposal': 'ノイズを予測するネットワークで逆過程を学習する方法を提案した',\n"
            "        'key_formula':\n"
            "            r'L = \\| \\epsilon - \\epsilon_\\theta(\\mathbf{x}_t, t) \\|^2',\n"
            "        'main_result': {'dataset': 'CIFAR-10', 'metric': 'FID', 'value': '3.17'},\n"
            "        'relevance': 'Stable Diffusion など現在の画像生成モデルの基礎になっている'}\n",
            "value_as_text",
            PAPER_PASS1_VALUE_AS_TEXT_EN,
            PAPER_PASS1_VALUE_AS_TEXT_JA,
            0,
        ),
        id="paper: the FID copied as text",
    ),
    pytest.param(
        Slip(
            "fit_linear_regression",
            "def fit_linear_regression(x, y, lr=0.01, epochs=200):\n"
            "    params = np.zeros(2)\n"
            "    hist = []\n"
            "    for epoch in range(0, epochs + 1):\n"
            "        resid = params[0] * x + params[1] - y\n"
            "        hist.append(float(np.mean(resid * resid)))\n"
            "        grad = np.array([2 * np.mean(resid * x), 2 * np.mean(resid)])\n"
            "        params = params - lr * grad\n"
            "    return float(params[0]), float(params[1]), hist\n",
            "one_epoch_too_many",
            FIT_LINEAR_REGRESSION_ONE_EPOCH_TOO_MANY_EN,
            FIT_LINEAR_REGRESSION_ONE_EPOCH_TOO_MANY_JA,
            0,
        ),
        id="regression: range(epochs + 1)",
    ),
    pytest.param(
        Slip(
            "fit_linear_regression",
            "def fit_linear_regression(x, y, lr=0.01, epochs=200):\n"
            "    w = 0.0\n"
            "    b = 0.0\n"
            "    losses = np.empty(epochs)\n"
            "    for i in range(epochs):\n"
            "        diff = (w * x + b) - y\n"
            "        losses[i] = (diff ** 2).mean()\n"
            "        step = lr * 2 * diff.mean()\n"
            "        w, b = w - step, b - step\n"
            "    return w, b, losses\n",
            "same_gradient_for_w",
            FIT_LINEAR_REGRESSION_SAME_GRADIENT_FOR_W_EN,
            FIT_LINEAR_REGRESSION_SAME_GRADIENT_FOR_W_JA,
            0,
        ),
        id="regression: b's gradient used for w",
    ),
]


def _expected(text: str | dict[str, str], case: str) -> str | None:
    if isinstance(text, str):
        return text
    return text.get(case)


def test_at_least_thirty_slips() -> None:
    """The table holds at least 30 wrong implementations, covering every pattern of issue 16."""
    slips = [p.values[0] for p in SLIPS]
    named = {s.named for s in slips}
    patterns = {
        "mean_not_sum",
        "softmax_of_probabilities",
        "argmax_target",
        "binary",
        "fixed_eps",
        "reduced",
        "sequential",
        "underflow_log",
        "angle",
        "euclidean",
        "pearson",
        "log10",
        "log_base",
        "sigma_as_variance",
        "raw_string",
        "no_max_shift",
    }
    assert (True, set()) == (len(slips) >= 30, patterns - named)


@pytest.mark.slow
@pytest.mark.parametrize("slip", SLIPS)
def test_the_slip_is_named_exactly(grade: Any, slip: Slip) -> None:
    """Every visible failing case names the slip in the exact words, in both languages."""
    results = grade(slip.exercise, slip.source)
    for lang, result in results.items():
        score, most = _visible(result)
        failing = [c for c in result.cases if not c.hidden and not c.passed]
        assert (slip.score, True) == (score, score < most), lang
        assert result.score < result.max_score  # no false full marks, hidden cases included
        text = slip.en if lang == "en" else slip.ja
        hint = slip.hint_en if lang == "en" else slip.hint_ja
        checked = 0
        for case in failing:
            want = _expected(text, case.name)
            if want is None:
                assert "partial" in slip.tags, case.name
                continue
            checked += 1
            if slip.where == "hint":
                assert want == case.hint, (lang, case.name)
            elif want:
                assert want == case.message.splitlines()[-1], (lang, case.name)
            if slip.where == "both" or (slip.where == "message" and hint):
                assert hint == case.hint, (lang, case.name)
        assert checked >= 1
        if slip.named in ("mean_not_sum", "binary", "log10", "sequential", "angle"):
            assert all(Outcome.FAILED is c.outcome for c in failing)


# -- correct implementations written other ways: full marks, never told of a slip -------------

CORRECT = [
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    return float(-np.dot(y_true, np.log(np.maximum(y_pred, eps))))\n",
        id="ce: dot product with a floor at eps",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    total = 0.0\n"
        "    for t, p in zip(y_true, y_pred):\n"
        "        if t:\n"
        "            total -= t * math.log(p + eps)\n"
        "    return total\n",
        id="ce: a loop over the classes with weight",
    ),
    pytest.param(
        "cross_entropy",
        "def cross_entropy(y_true, y_pred, eps=1e-12):\n"
        "    logp = np.log(np.clip(y_pred, eps, None))\n"
        "    return -float((y_true * logp).sum())\n",
        id="ce: clipped below at eps",
    ),
    pytest.param(
        "softmax",
        "def softmax(z, axis=-1):\n"
        "    m = np.max(z, axis=axis, keepdims=True)\n"
        "    lse = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))\n"
        "    return np.exp(z - lse)\n",
        id="softmax: through the log-sum-exp",
    ),
    pytest.param(
        "softmax",
        "def _row(r):\n"
        "    e = np.exp(r - r.max())\n"
        "    return e / e.sum()\n\n\n"
        "def softmax(z, axis=-1):\n"
        "    return np.apply_along_axis(_row, axis, np.asarray(z, dtype=float))\n",
        id="softmax: one vector at a time along the axis",
    ),
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n"
        "    return float(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b)))\n",
        id="cosine: one square root of both squared norms",
    ),
    pytest.param(
        "cosine_similarity",
        "def cosine_similarity(a, b):\n"
        "    dot = math.fsum(x * y for x, y in zip(a, b))\n"
        "    return dot / (math.hypot(*a) * math.hypot(*b))\n",
        id="cosine: math.fsum and math.hypot",
    ),
    pytest.param(
        "log_normal_pdf",
        "def log_normal_pdf(x, mu, sigma):\n"
        "    z = (np.asarray(x) - mu) / sigma\n"
        "    return -np.log(sigma) - 0.5 * np.log(2 * np.pi) - 0.5 * z ** 2\n",
        id="log-pdf: standardised, the logs split",
    ),
    pytest.param(
        "log_normal_pdf",
        "LOG_2PI = math.log(2 * math.pi)\n\n"
        "def log_normal_pdf(x, mu, sigma):\n"
        "    return -(LOG_2PI + 2 * np.log(sigma) + np.square(x - mu) / np.square(sigma)) / 2\n",
        id="log-pdf: a module constant for log(2 pi)",
    ),
    pytest.param(
        "sgd_step",
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    grads = np.stack([grad_fn(theta, x, y) for x, y in zip(X_batch, y_batch)])\n"
        "    return theta - alpha * grads.sum(axis=0) / len(y_batch)\n",
        id="sgd: stacked gradients, sum over n",
    ),
    pytest.param(
        "sgd_step",
        "def sgd_step(theta, X_batch, y_batch, grad_fn, alpha=0.01):\n"
        "    acc = np.zeros_like(theta, dtype=float)\n"
        "    for i in range(len(X_batch)):\n"
        "        acc += grad_fn(theta, X_batch[i], y_batch[i])\n"
        "    return theta - alpha * (acc / len(X_batch))\n",
        id="sgd: accumulate in a loop, then average",
    ),
    pytest.param(
        "latex_formulas",
        'CROSS_ENTROPY = r"\\mathcal{L}_\\text{CE}=-\\sum_{i=1}^C y_i\\log\\hat{y}_i"\n'
        'KL_DIVERGENCE = r"D_{\\text{KL}}(q \\Vert p) = \\sum_x q(x) \\log\\frac{q(x)}{p(x)}"\n',
        id="latex: fewer braces and spaces, \\Vert for the double bar",
    ),
    pytest.param(
        "latex_formulas",
        'ELBO = r"""\\mathcal{L}_{\\text{ELBO}} =\n'
        "  \\mathbb{E}_{q_\\phi(\\mathbf{z}|\\mathbf{x})}"
        " \\left[ \\log p_\\theta(\\mathbf{x}|\\mathbf{z}) \\right]\n"
        '  - D_{\\text{KL}}(q_\\phi(\\mathbf{z}|\\mathbf{x}) \\| p(\\mathbf{z}))"""\n',
        id="latex: a raw string over three lines (line breaks are not escapes)",
    ),
    pytest.param(
        "attention",
        "def attention(Q, K, V):\n"
        "    d_k = K.shape[-1]\n"
        "    out, ws = [], []\n"
        "    for q in Q:\n"
        "        s = K @ q / math.sqrt(d_k)\n"
        "        e = np.exp(s - s.max())\n"
        "        w = e / e.sum()\n"
        "        ws.append(w)\n"
        "        out.append(w @ V)\n"
        "    return np.array(out), np.array(ws)\n",
        id="attention: one query at a time",
    ),
    pytest.param(
        "symbols_in",
        "import re\n"
        "SYMBOLS = (r'\\theta', r'\\phi', r'\\mu', r'\\sigma', r'\\nabla', r'\\mathcal{L}',\n"
        "    r'\\mathbb{E}', r'\\sum', r'\\prod', r'\\partial', r'\\alpha', r'\\epsilon',\n"
        "    r'\\lambda', r'\\mathbb{R}', r'\\in', r'\\forall', r'\\exists', r'\\sqrt',\n"
        "    r'\\frac', r'\\log', r'\\exp', r'\\top', r'\\text{softmax}')\n"
        "def symbols_in(formula):\n"
        "    first = {}\n"
        "    for s in SYMBOLS:\n"
        "        i = formula.find(s)\n"
        "        while i != -1 and formula[i + len(s):i + len(s) + 1].isalpha():\n"
        "            i = formula.find(s, i + 1)\n"
        "        if i != -1:\n"
        "            first[s] = i\n"
        "    return sorted(first, key=first.get)\n",
        id="symbols: str.find, skipping matches followed by a letter",
    ),
    pytest.param(
        "fit_linear_regression",
        "def fit_linear_regression(x, y, lr=0.01, epochs=200):\n"
        "    X = np.column_stack([x, np.ones_like(x)])\n"
        "    theta = np.zeros(2)\n"
        "    losses = []\n"
        "    for _ in range(epochs):\n"
        "        r = X @ theta - y\n"
        "        losses.append(r @ r / len(y))\n"
        "        theta = theta - lr * 2 * X.T @ r / len(y)\n"
        "    return theta[0], theta[1], np.array(losses)\n",
        id="regression: a design matrix with a column of ones",
    ),
    pytest.param(
        "kl_divergence",
        "def kl_divergence(q, p, eps=1e-12):\n"
        "    m = q > 0\n"
        "    return float(np.sum(q[m] * (np.log(q[m] + eps) - np.log(p[m] + eps))))\n",
        id="kl: masked terms, logs subtracted",
    ),
]


def test_at_least_ten_correct_implementations() -> None:
    """The table of correct implementations written other ways holds at least ten."""
    assert len(CORRECT) >= 10


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "source"), CORRECT)
def test_correct_code_is_never_told_of_a_slip(grade: Any, exercise: str, source: str) -> None:
    """A correct implementation written another way gets full marks and no diagnosis."""
    for result in grade(exercise, source).values():
        flagged = [c.name for c in result.cases if {"misconception", "signature"} & set(c.details)]
        assert (result.max_score, [], "") == (result.score, flagged, "".join(result.notes))


def test_hints_are_the_rubrics_own_words(plans: dict[str, ExercisePlan]) -> None:
    """The table's sentences for known slips are the rubric's, in both languages (one source)."""
    rubric_texts = set()
    for plan in plans.values():
        for item in plan.rubric.misconceptions:
            texts = [item["hint"], *item.get("case_hints", {}).values()]
            rubric_texts |= {text_of(t, lang) for t in texts for lang in ("en", "ja")}
    hints = set()
    for param in SLIPS:
        slip = param.values[0]
        if slip.where == "hint" and slip.named:
            for text in (slip.en, slip.ja):
                hints |= set(text.values()) if isinstance(text, dict) else {text}
    assert set() == hints - rubric_texts


# -- cases added because a buggy file got full marks (bench/named_slips.py) -------------------

CAUGHT = [
    pytest.param(
        "symbols_in",
        "import re\n"
        "SYMBOLS = (r'\\theta', r'\\phi', r'\\mu', r'\\sigma', r'\\nabla', r'\\mathcal{L}',\n"
        "    r'\\mathbb{E}', r'\\sum', r'\\prod', r'\\partial', r'\\alpha', r'\\epsilon',\n"
        "    r'\\lambda', r'\\mathbb{R}', r'\\in', r'\\forall', r'\\exists', r'\\sqrt',\n"
        "    r'\\frac', r'\\log', r'\\exp', r'\\top', r'\\text{softmax}')\n"
        "def symbols_in(formula):\n"
        "    low = formula.lower()\n"
        "    hits = []\n"
        "    for s in SYMBOLS:\n"
        "        m = re.search(re.escape(s.lower()) + '(?![a-z])', low)\n"
        "        if m:\n"
        "            hits.append((m.start(), s))\n"
        "    return [s for _, s in sorted(hits)]\n",
        "upper-case Greek is another command",
        id="symbols: compared in lower case, \\Sigma read as \\sigma",
    ),
    pytest.param(
        "fit_linear_regression",
        "def fit_linear_regression(x, y, lr=0.01, epochs=200):\n"
        "    w = b = 0.0\n"
        "    losses = []\n"
        "    for _ in range(epochs):\n"
        "        e = w * x + b - y\n"
        "        losses.append(float(np.sum(e ** 2)))\n"
        "        w, b = w - lr * 2 * np.mean(e * x), b - lr * 2 * np.mean(e)\n"
        "    return w, b, losses\n",
        "lecture challenge",
        id="regression: the sum of squared errors recorded as the loss",
    ),
    pytest.param(
        "fit_linear_regression",
        "def fit_linear_regression(x, y, lr=0.01, epochs=200):\n"
        "    w = b = 0.0\n"
        "    losses = []\n"
        "    for _ in range(epochs):\n"
        "        e = w * x + b - y\n"
        "        losses.append(math.sqrt(np.mean(e ** 2)))\n"
        "        w -= lr * 2 * np.mean(e * x)\n"
        "        b -= lr * 2 * np.mean(e)\n"
        "    return w, b, losses\n",
        "lecture challenge",
        id="regression: the RMSE recorded as the loss",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "source", "case"), CAUGHT)
def test_a_case_catches_what_got_full_marks(
    grade: Any, plans: dict[str, ExercisePlan], exercise: str, source: str, case: str
) -> None:
    """The case added for a slip that got full marks fails it; the reference passes it."""
    result = grade(exercise, source)["en"]
    failed = {c.name for c in result.cases if not c.hidden and not c.passed}
    reference = (ROOT / "solutions" / plans[exercise].rubric.file).read_text(encoding="utf-8")
    right = grade(exercise, reference)["en"]
    assert (case in failed, right.score) == (True, right.max_score)
