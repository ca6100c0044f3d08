"""Score: apply each case's check to what the child sent back, and build the results.

The verdict is made here, in the grader's process, from plain data. A case passes only when
its output is right *and* its array inputs came back unchanged.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from grader import messages as msg
from grader.checks import Failure, Unchecked
from grader.checks.properties import check_properties
from grader.checks.values import Layout, Part, compare
from grader.debugging import printed, shown_inputs
from grader.execute import CaseRun, ExerciseRun
from grader.model import CaseResult, ExerciseResult, Outcome
from grader.plan import ExercisePlan, PlannedCase
from grader.rubric import text_of
from grader.sandbox.runner import Limits
from grader.sandbox.transport import Received

__all__ = ["death_message", "score_exercise"]


def score_exercise(
    plan: ExercisePlan, run: ExerciseRun, file: Path, *, lang: str = "en", diagnose: bool = True
) -> ExerciseResult:
    """Turn one exercise's runs into scored case results.

    ``diagnose=False`` leaves out the search for a misconception behind a failure (for runs
    whose failures will not be shown).
    """
    rubric = plan.rubric
    shown = msg.shown_path(file)
    function = rubric.function or rubric.stem
    exercise_message = ""
    if run.error:
        exercise_message = _exercise_problem(run, shown, rubric.file, function)
    results: dict[str, CaseResult] = {}
    ordered: list[CaseResult] = []
    items = _list_items(plan)
    for case in plan.cases:
        spec = case.spec
        hint = text_of(spec.hint, lang) or text_of(rubric.hint, lang)
        failed_dep = next(
            (d for d in spec.depends_on if d in results and not results[d].passed), None
        )
        if failed_dep is not None:
            result = _result(
                case,
                Outcome.SKIPPED,
                "skipped_dependency",
                msg.t(
                    "skipped_dependency", dependency=repr(results[failed_dep].title or failed_dep)
                ),
                "",
            )
        elif run.error:
            # nothing ran: the exercise's own hint, not one written for a particular case
            result = _result(
                case, Outcome.ERRORED, run.error, exercise_message, text_of(rubric.hint, lang)
            )
        else:
            case_run = run.cases.get(spec.index)
            if case_run is None:
                result = _result(
                    case,
                    Outcome.ERRORED,
                    "grader_error",
                    msg.t("grader_error", error=msg.t("no_answer")),
                    "",
                )
            else:
                result = _judge(case, case_run, shown, function, hint, items=items)
                if not result.passed and result.reason != "not_implemented":
                    result = _debugging(result, case, case_run, rubric.id, file.resolve().parent)
        if spec.hidden:  # even its time: a function can sleep for as long as an input says
            result = _redact(result) if not result.passed else replace(result, seconds=0.0)
        if spec.title:
            result = replace(result, title=text_of(spec.title, lang))
        results[spec.name] = result
        ordered.append(result)
    if diagnose and any(c.outcome is Outcome.FAILED for c in ordered):
        from grader.misconceptions import diagnose as find  # only a failure pays for the import

        ordered = find(plan, run, ordered, lang=lang)
    ordered = _fitting_hints(plan, ordered, lang)
    if ordered and all(c.reason == "not_implemented" for c in ordered):
        exercise_message = ordered[0].message or msg.t("not_implemented")
    withheld, withheld_points = rubric.withheld  # a student release keeps only the count
    hidden_points = sum(c.points for c in plan.hidden_skipped) + withheld_points
    notes = []
    kept = Limits().output_kept
    looped = any(c.reason == "output_limit" for c in ordered)  # its message says it all
    if run.printed > kept and not looped:  # kept the first part, dropped the rest, went on
        notes.append(msg.t("output_dropped", printed=_size(run.printed), kept=_size(kept)))
    return ExerciseResult(
        id=rubric.id,
        title=text_of(rubric.title, lang) or rubric.id,
        file=shown,
        cases=tuple(ordered),
        message=exercise_message,
        line=run.line,
        hidden_not_run=len(plan.hidden_skipped) + withheld,
        hidden_points_not_run=hidden_points,
        notes=tuple(notes),
    )


def _fitting_hints(plan: ExercisePlan, results: list[CaseResult], lang: str) -> list[CaseResult]:
    """Each case's own hint where it fits the failure (its ``hint_when``), else the exercise's.

    A case hint guesses the likely cause ("no loops or float()"); when the failure shows
    another one (a signature the hint does not name, another reason), the exercise's general
    hint is shown instead. A named misconception is its own hint and is kept.
    """
    specs = {c.spec.name: c.spec for c in plan.cases}
    failing = [
        r.name
        for r in results
        if not r.passed and not r.hidden and r.outcome is not Outcome.SKIPPED
    ]

    def fits(result: CaseResult) -> bool:
        spec = specs.get(result.name)
        if (
            spec is None
            or not spec.hint_when
            or result.hint != text_of(spec.hint, lang)
            or "misconception" in result.details
        ):
            return True
        signature = result.details.get("signature")
        found = {str(signature)} if signature else {result.reason}
        if failing == [result.name]:
            found.add("only_failure")
        return bool(found & set(spec.hint_when))

    return [r if fits(r) else replace(r, hint=text_of(plan.rubric.hint, lang)) for r in results]


def _result(  # noqa: PLR0917 - private helper, called positionally throughout
    case: PlannedCase,
    outcome: Outcome,
    reason: str,
    message: str,
    hint: str,
    details: dict[str, Any] | None = None,
    seconds: float = 0.0,
) -> CaseResult:
    spec = case.spec
    return CaseResult(
        name=spec.name,
        outcome=outcome,
        score=spec.points if outcome is Outcome.PASSED else 0.0,
        max_score=spec.points,
        message=message,
        category=spec.category,
        hidden=spec.hidden,
        reason=reason if outcome is not Outcome.PASSED else "",
        hint=hint if outcome is not Outcome.PASSED else "",
        details=details or {},
        seconds=seconds,
    )


def _list_items(plan: ExercisePlan) -> str:
    """ "str" if the reference answers some case with a list, and every such non-empty list
    holds only strings (`Layout.list_items`), else ""."""
    lists = [c.expected for c in plan.cases if isinstance(c.expected, list) and c.expected]
    strings = lists and all(isinstance(item, str) for answer in lists for item in answer)
    return "str" if strings else ""


def _judge(
    case: PlannedCase, run: CaseRun, shown: str, function: str, hint: str, *, items: str = ""
) -> CaseResult:
    if run.error:
        message = _case_problem(run, shown, function)
        return _result(case, Outcome.ERRORED, run.error, message, hint)
    layout = case.spec.layout or Layout(Part(case.spec.check, case.spec.params))
    if items:
        layout = replace(layout, list_items=items)
    try:
        compare(run.value, case.expected, layout)
        check_properties(case.spec.properties, run.value, layout)
    except Unchecked as exc:
        return _result(
            case,
            Outcome.SKIPPED,
            "unchecked",
            msg.t("unchecked", reason=exc.rationale),
            "",
            seconds=run.seconds,
        )
    except Failure as exc:
        details = dict(exc.details)
        changed = _changed_inputs(case, run)
        if changed:
            details["inputs_modified"] = changed
        return _result(
            case,
            Outcome.FAILED,
            exc.reason,
            _render_failure(exc),
            exc.hint or hint,
            details,
            run.seconds,
        )
    changed = _changed_inputs(case, run)
    if changed:
        return _result(
            case,
            Outcome.FAILED,
            "inputs_modified",
            msg.t("inputs_modified", name=", ".join(changed)),
            hint or msg.t("inputs_modified_hint"),
            {"inputs_modified": changed},
            run.seconds,
        )
    return _result(case, Outcome.PASSED, "", "", "", seconds=run.seconds)


def _debugging(
    result: CaseResult, case: PlannedCase, run: CaseRun, rubric_id: str, folder: Path
) -> CaseResult:
    """``result`` with what helps to debug it: the case's inputs and what it printed (hidden
    cases lose both again when redacted)."""
    details = dict(result.details)
    if not case.spec.attribute:
        details["inputs"] = [shown.to_dict() for shown in shown_inputs(case, rubric_id)]
    if run.output or run.printed:
        count = None if run.error == "output_limit" else run.printed
        details["output"] = printed(run.output, count, folder)
    return replace(result, details=details)


def _render_failure(exc: Failure) -> str:
    lines = [exc.rationale]
    details = exc.details
    if "expected" in details and "actual" in details and details.get("expected") is not None:
        tol = details.get("tolerance")
        lines.extend(msg.value_lines(details["expected"], details["actual"], tol or ""))
    if details.get("stats"):
        lines.append(str(details["stats"]))
    return "\n".join(lines)


def _changed_inputs(case: PlannedCase, run: CaseRun) -> list[str]:
    changed = []
    names = [(str(i), a) for i, a in enumerate(case.args)] + list(case.kwargs.items())
    for key, original in names:
        if not isinstance(original, np.ndarray):
            continue
        after = run.inputs.get(key)
        if not isinstance(after, Received):
            continue
        same = after.array.shape == original.shape and np.array_equal(
            after.array, original, equal_nan=True
        )
        if not same:
            changed.append(f"#{int(key) + 1}" if key.isdigit() else repr(key))
    return changed


def _where(info: dict[str, Any], fallback: str) -> tuple[str, int | None]:
    frames = info.get("frames") or []
    if frames:
        last = frames[-1]
        return msg.shown_path(last["file"]) if last.get("file") else fallback, last.get("line")
    return fallback, None


def _case_problem(run: CaseRun, shown: str, function: str) -> str:
    info = run.info
    error = run.error
    if error == "not_implemented":
        return msg.t("not_implemented")
    if error in ("exception", "memory_limit") and info.get("type"):
        file, line = _where(info, shown)
        if error == "memory_limit":
            limit = int(info.get("bytes", 0))
            return msg.t("memory_limit", limit=_size(limit) if limit else msg.t("the_memory_limit"))
        if line:
            return msg.t(
                "raised_at",
                function=function,
                type=info["type"],
                text=info["text"],
                file=file,
                line=line,
            )
        return msg.t("raised", function=function, type=info["type"], text=info["text"])
    return death_message(error, info)


def death_message(error: str, info: dict[str, Any]) -> str:
    """The student's sentence for a child that ended early (timeout, exit, crash, ...)."""
    if error == "timeout":
        return msg.t("timeout", seconds=f"{info.get('seconds', 0):g}")
    if error == "exited":
        return msg.t("exited", code=info.get("code", info.get("text") or 0))
    if error == "crashed":
        return msg.t("crashed", signal=info.get("signal", "?"))
    if error == "cpu_limit":
        return msg.t("cpu_limit")
    if error == "output_limit" and info.get("one_output"):  # refused by the kernel's connection
        return msg.t("output_too_large", limit=_size(int(info.get("bytes", 0))))
    if error == "output_limit":
        return msg.t("output_limit", limit=_size(int(info.get("bytes", 0))))
    if error == "protocol":
        return msg.t("protocol", error=info.get("error", ""))
    if error == "grader_error":
        return msg.t("grader_error", error=info.get("error", ""))
    return msg.t("grader_error", error=error)


def _exercise_problem(run: ExerciseRun, shown: str, file: str, function: str) -> str:
    info = run.info
    if run.error == "missing_file":
        return msg.t("missing_file", file=file, where=msg.shown_path(Path(shown).parent))
    if run.error == "missing_function":
        return msg.t("missing_function", file=shown, name=info.get("name", function))
    if run.error == "import_timeout":
        return msg.t("import_timeout", file=shown, seconds=f"{info.get('seconds', 0):g}")
    if run.error == "import_error":
        file_shown, line = _where(info, shown)
        if info.get("type") == "SyntaxError":
            return msg.t("syntax_error", file=file_shown, line=line or "?", text=info["text"])
        if info.get("exit"):
            return msg.t("exited", code=info.get("text") or 0)
        if line:
            return msg.t(
                "import_failed_at", file=file_shown, type=info["type"], text=info["text"], line=line
            )
        return msg.t("import_failed", file=shown, type=info["type"], text=info["text"])
    return death_message(run.error, info)


def _redact(result: CaseResult) -> CaseResult:
    """Hidden cases show a fixed text and the kind of problem, never inputs or output."""
    return CaseResult(
        name=result.name,
        outcome=result.outcome,
        score=result.score,
        max_score=result.max_score,
        message=_hidden_message(result.reason),
        category=result.category,
        hidden=True,
        reason=result.reason,
        hint=result.hint,
        details={},
    )


def _hidden_message(reason: str) -> str:
    if not reason:
        return msg.t("hidden_case")
    key = f"reason_{reason}"
    shown = msg.t(key) if key in msg.CATALOGUE else reason
    return msg.t("hidden_case_reason", reason=shown)


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f}".removesuffix(".0") + " MiB"
    return f"{n >> 10} KiB" if n >= 1 << 10 else f"{n} B"
