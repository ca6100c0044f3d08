"""The English of every sentence a student reads: `CATALOGUE` by key, `PLURALS` with a count.

`grader.messages` looks them up (``t``, ``tn``) and the gettext catalogues in
``grader/locale/`` translate them (``uv run python -m grader.po`` after a change here). Keys
are grouped by the part of the grader that speaks them; placeholders are ``{name}`` fields.
"""

from __future__ import annotations

__all__ = ["CATALOGUE", "PLURALS"]

CATALOGUE: dict[str, str] = {
    # numeric checks
    "tolerance": "rtol {rtol}, atol {atol}",
    "bad_type": "expected a number or a NumPy array, got {got}",
    "returned_none": "the function returned None; did you forget `return`?",
    "want_scalar": "expected a single number, got an array of shape {shape}",
    "wrong_shape": "expected shape {expected}, got {got}",
    "non_finite": "expected finite values, got {value} at {where} ({count} of {total} not finite)",
    "non_finite_scalar": "expected a finite number, got {value}",
    "wrong_values": "values differ from the reference",
    "mismatch_stats": (
        "mismatched elements: {wrong} / {total} · max abs diff {abs} at {abs_at}"
        " · max rel diff {rel} at {rel_at}"
    ),
    "mismatch_stats_scalar": "abs diff {abs} · rel diff {rel}",
    "inputs_modified": (
        "the function changed its input {name!s}; work on a copy (e.g. `x = x.copy()`)"
        " or build a new array"
    ),
    "inputs_modified_hint": "return a new array instead of updating the argument in place",
    # structured answers and properties (grader/checks/values.py, properties.py, text.py)
    "value_differs": "the value differs from the reference",
    "items_differ_any_order": "the items differ from the reference (in any order)",
    "want_dict": "expected a dict, got {got}",
    "missing_keys": "missing key(s) {keys}",
    "want_sequence": "expected a {kind} of {count} items, got {got}",
    "wrong_length": "expected a {kind} of {count} items, got {got}",
    "too_many_parts": (
        "the function returned a {kind} with too many parts to be read back: at most {parts}"
        " numbers and arrays, and {items} items in all its lists, tuples and dicts (a list of"
        " numbers or an array is one part)"
    ),
    "want_empty": "expected an empty {kind}, got {got}",
    "want_empty_strings": "expected an empty {kind} of strings, got {got}",
    "kind_number": "a number",
    "kind_array": "an array of shape {shape}",
    "kind_container": "a {kind} of {count} items",
    "prop_missing_part": "{part} was not found in the result ({got})",
    "prop_not_numeric": "{part} should be numbers, got {got}",
    "prop_monotonic": "{part} should be {direction}, but not from [{index}] on: {before} then"
    " {after}",
    "direction_increasing": "increasing",
    "direction_non_decreasing": "non-decreasing",
    "direction_decreasing": "decreasing",
    "direction_non_increasing": "non-increasing",
    "prop_sums_to": "{part} should sum to {target}{where}; the sums are {sums}",
    "along_axis": " along axis {axis}",
    "prop_argmax": "{part} should be largest at index {expected}, but it is largest at {got}",
    "prop_within": "{part} should be within {atol} of {value}, got {got}",
    "prop_shape": "{part} should have shape {expected}, got {got}",
    "text_not_str": "expected text (a str), got {got}",
    "text_too_short": "the text is {count} characters long; write at least {least}",
    "text_too_long": "the text is {count} characters long; keep it to {most}",
    "text_missing_words": "the text should mention {words}",
    # running student code
    "not_implemented": "not implemented yet: replace `raise NotImplementedError` with your code",
    "raised": "{function} raised {type}: {text}",
    "raised_at": "{function} raised {type}: {text} ({file}, line {line})",
    "import_failed": "could not import {file}: {type}: {text}",
    "import_failed_at": "could not import {file}: {type}: {text} (line {line})",
    "syntax_error": "{file} has a syntax error at line {line}: {text}",
    "missing_file": "{file} was not found in {where}",
    "missing_function": "{file} does not define {name}",
    "timeout": "timed out after {seconds} s (does your loop terminate?)",
    "import_timeout": "importing {file} timed out after {seconds} s (does top-level code loop?)",
    "exited": "the code called exit ({code}); return a value instead",
    "crashed": "the process crashed (signal {signal})",
    "cpu_limit": "used more than its CPU time limit",
    "memory_limit": "ran out of memory (limit {limit})",
    "output_limit": (
        "printed without end and was stopped (the report keeps the first {limit}); remove"
        " print calls inside loops"
    ),
    "output_too_large": (
        "printed or displayed too much output at once (more than {limit} in one output);"
        " print or display a summary or a slice instead"
    ),
    "output_dropped": (
        "your code printed {printed}; the report keeps the first {kept} and the rest was"
        " dropped (grading went on; printing less makes grading faster)"
    ),
    "protocol": "the result could not be read back ({error})",
    "bad_output_type": "returned {got}, which is not a number or a numeric array",
    "grader_error": "the grader failed on this case (not your fault; please re-run): {error}",
    "hidden_case": "hidden case failed",
    "hidden_case_reason": "hidden case failed ({reason})",
    "reason_wrong": "wrong values",
    "reason_wrong_shape": "wrong shape",
    "reason_non_finite": "nan or inf",
    "reason_bad_output_type": "not a number",
    "reason_exception": "raised an exception",
    "reason_timeout": "timed out",
    "reason_import_timeout": "the import timed out",
    "reason_exited": "called exit",
    "reason_crashed": "crashed",
    "reason_cpu_limit": "CPU time limit",
    "reason_memory_limit": "out of memory",
    "reason_output_limit": "printed too much",
    "reason_protocol": "answer unreadable",
    "reason_inputs_modified": "changed its input",
    "reason_not_implemented": "not implemented",
    "reason_import_error": "the import failed",
    "reason_missing_function": "function missing",
    "reason_missing_file": "file missing",
    "reason_grader_error": "grader error",
    "reason_raw_string": "not a raw string",
    "reason_latex_parse_error": "does not render",
    "reason_zenn_rule": "a Zenn rule",
    "reason_latex_input": "formula too long or too deep",
    "skipped_dependency": "skipped: needs {dependency} to pass first",
    "unchecked": "unchecked: {reason}",
    # report
    "total": "total",
    "total_line": "total {score}/{max_score}",
    "points": " ({score}/{max_score} pts)",
    "list_points": "{points} pts",
    "label_sep": ": ",
    "hidden_not_run": "{cases} worth {points} not run (graded later)",
    "unconfined": "student code ran unconfined ({mode} mode{why}); see docs/security.md",
    "printed": "printed",
    "printed_more": "... ({size} printed in all; the first part is shown)",
    "printed_cut": "... (the first part is shown)",
    "inputs": "inputs",
    "input_argument": "argument {number}",
    "input_large": "shape {shape} {dtype}, first values {first}",
    "input_rebuild": "rebuild",
    "expected": "expected",
    "got": "got",
    "hint": "hint",
    "reference": "reference",
    "yours": "yours",
    # latex ----------------------------------------------------------------------------
    "latex_not_implemented": "not implemented yet: write the formula as a LaTeX string",
    "latex_none": "the answer is None; assign the formula to the constant as a string",
    "latex_got_array": "an array",
    "latex_got_number": "a number",
    "latex_not_string": "expected a LaTeX string, got {got}",
    "latex_too_long": (
        "the formula is {length} characters long; the limit is {limit}. is something pasted twice?"
    ),
    "latex_too_large": (
        "the formula expands to more than {limit} symbols (do its macros repeat each other?);"
        " write it out in full"
    ),
    "latex_too_deep": (
        "the formula nests groups {depth} levels deep; the limit is {limit}."
        " check for unbalanced braces"
    ),
    "latex_parse_error": "KaTeX could not render: {message} at position {position}",
    "latex_parse_error_nopos": "KaTeX could not render: {message}",
    "latex_parse_hint_undefined": "check the spelling of {command}; did you mean {suggestion}?",
    "latex_parse_hint_undefined_plain": (
        "check the spelling of {command}; KaTeX supports only its own list of commands"
    ),
    "latex_parse_hint_braces": "opening and closing braces must pair up; count them from the caret",
    "latex_parse_hint_double": "put both parts in one group, e.g. x^{ab} or {x^a}^b",
    "latex_parse_hint_left": "every \\left needs a matching \\right (use \\right. for none)",
    "latex_raw_string": (
        "your string holds a {char} where the formula has `{command}`: in a normal Python"
        " string `{escape}` is an escape sequence, not a backslash and a letter"
    ),
    "latex_raw_string_hint": (
        'write the formula as a raw string, r"..." (the r keeps every backslash as written)'
    ),
    "latex_char_tab": "tab",
    "latex_char_form_feed": "form feed",
    "latex_char_backspace": "backspace",
    "latex_char_bell": "bell character",
    "latex_char_vertical_tab": "vertical tab",
    "latex_char_carriage_return": "carriage return",
    "latex_char_newline": "line break",
    "latex_char_control": "control character",
    "latex_engine_error": (
        "KaTeX failed on this formula ({error}); simplify it, e.g. fewer nested groups"
    ),
    "latex_engine_missing": "no KaTeX engine is available here ({reason})",
    "latex_trust": (
        "{command} is not allowed in a formula (links and raw HTML are refused);"
        " remove it and write the link outside the formula"
    ),
    "latex_rule_macros": (
        "{command} cannot be used on Zenn; write the formula out in full instead of defining"
        " a macro"
    ),
    "latex_rule_ascii_text": (
        "non-ASCII text inside {command}{{…}} ({text}); write it outside the formula, in"
        " the sentence around it"
    ),
    "latex_rule_mathbf": "use \\mathbf{{…}} rather than {command} for bold vectors",
    "latex_rule_delimiters": (
        "remove the {delimiter} delimiters: the string should hold only the formula"
        " (Zenn adds $$ around it)"
    ),
    "latex_delimiters_note": "the {delimiter} delimiters were removed before checking",
    "latex_warnings": "KaTeX strict mode warns: {warnings}",
    "latex_warning_hint": "write Japanese text outside the formula; keep only math inside it",
    "latex_not_equivalent": "the formula differs from the reference: {difference}",
    "latex_where_formula": "the formula",
    "latex_where_the": "the {part}",
    "latex_where_of": "the {part} of `{of}`",
    "latex_where_part": "part {n}",
    "latex_part_numerator": "numerator",
    "latex_part_denominator": "denominator",
    "latex_part_sqrt": "square root",
    "latex_part_root": "root",
    "latex_part_root_index": "index of the root",
    "latex_part_base": "base",
    "latex_part_subscript": "subscript",
    "latex_part_superscript": "superscript",
    "latex_part_accented": "accented part",
    "latex_part_accent": "accent",
    "latex_where_inside": "inside `{name}(…)`",
    "latex_where_in": "in {where}",
    "latex_diff_swapped": "`{a}` and `{b}` are swapped {where}",
    "latex_diff_frac_swapped": "numerator and denominator are swapped in {where}",
    "latex_diff_minus": "missing minus sign in {where}",
    "latex_diff_missing": "{where} is missing `{want}` (after `{after}`)",
    "latex_diff_missing_start": "{where} is missing `{want}` at its start",
    "latex_diff_italic_word": ("{word} is written in italic letters; write it upright as `{want}`"),
    "latex_diff_extra": "{where} has an extra `{got}`",
    "latex_diff_replace": "{where} has `{got}`; the reference has `{want}`",
    "latex_diff_unknown": "the rendered formulas differ",
    # --- reporters (issue 7: GitHub, JUnit, Gradescope, HTML, Markdown) ---
    "report_heading": "Grading report",
    "score_line": "score {score}/{max_score} ({percent})",
    "col_exercise": "exercise",
    "col_score": "points",
    "col_result": "result",
    "col_index": "index",
    "result_passed": "passed",
    "result_failed": "failed",
    "result_errored": "error",
    "result_skipped": "skipped",
    "all_passed": "every case passed",
    "tolerance_label": "tolerance",
    "your_formula": "your formula",
    "reference_formula": "reference",
    "classroom_points": "Points {score}/{max_score}",
    "annotation_title": "{exercise}: {case}",
    "line_ref": "{file}, line {line}",
    "generated_by": "generated by grade {version}",
    "gradescope_failed": (
        "the autograder could not grade this submission (exit code {code}); "
        "please tell the course staff"
    ),
    # -- i18n (issue 8): report labels, signature hints ---------------------------------------
    "label_pass": "PASS",
    "label_fail": "FAIL",
    "label_case_ok": "ok",
    "label_case_fail": "FAIL",
    "label_case_error": "ERROR",
    "label_case_skip": "SKIP",
    "index": "index",
    "the_memory_limit": "the memory limit",
    "no_answer": "no answer for this case",
    "sig_transposed": (
        "right values, wrong shape: your result {got} is the transpose of the expected"
        " {expected}; reduce along the given axis and drop any .T"
    ),
    "sig_transposed_square": (
        "right values, transposed: your square result is the transpose of the expected one (each"
        " row holds what should be a column); reduce along the given axis and drop any .T"
    ),
    "sig_kept_dims": (
        "right values, wrong shape: got {got} instead of {expected}, an extra axis of length 1"
        " was kept; drop keepdims=True on the result (or index it) to get {expected}"
    ),
    "sig_kept_dims_scalar": (
        "right value, wrong shape: got an array of shape {got} instead of one number;"
        " return a float, e.g. float(result) or result.item()"
    ),
    "sig_flattened": (
        "right values, wrong shape: got {got} instead of {expected}, the result was"
        " flattened; keep the input's shape (no ravel/flatten, or reshape back)"
    ),
    "sig_overflow": (
        "nan/inf only on the inputs of largest magnitude (up to {big}), finite elsewhere:"
        " exp overflows to inf there (and inf/inf is nan); keep exp away from large"
        " arguments (subtract the maximum first, or stay in logs)"
    ),
    "sig_underflow": (
        "nan only on the inputs of largest magnitude (up to {big}), which are negative:"
        " exp of a very negative number underflows to 0 there, and 0/0 is nan; subtract the"
        " maximum first, so that the largest exponent is 0"
    ),
    "sig_underflow_log": (
        "-inf only on the inputs of largest magnitude (up to {big}), finite elsewhere: exp"
        " underflows to 0 there (exp(-800) is 0.0) and log(0) is -inf; do not take the log"
        " of an exp, write the log out by hand (log(exp(a)) = a)"
    ),
    "sig_reduced_sum": (
        "right values, summed: your result of shape {got} is the values expected (shape"
        " {expected}) summed over axis {axis}; return one value per element (no sum at the end)"
    ),
    "sig_reduced_mean": (
        "right values, averaged: your result of shape {got} is the values expected (shape"
        " {expected}) averaged over axis {axis}; return one value per element (no mean at the"
        " end)"
    ),
    "sig_reduced_all_sum": (
        "right values, summed: your result is one number, the sum of the values expected"
        " (shape {expected}); return one value per element, not their total"
    ),
    "sig_reduced_all_mean": (
        "right values, averaged: your result is one number, the mean of the values expected"
        " (shape {expected}); return one value per element, not their mean"
    ),
    "sig_log_zero": (
        "nan/inf only where an input contains 0: log(0) is -inf and 0/0 is nan;"
        " keep the argument of log away from 0 (e.g. add eps)"
    ),
    "sig_sign": (
        "your values are the reference with the opposite sign on every failing case:"
        " a minus sign is missing or extra"
    ),
    "sig_factor": (
        "your values are {factor} × the reference on every failing case: a constant factor"
        " is off (a missing ½, a mean instead of a sum, log2 instead of log, ...)"
    ),
    "sig_factor_log": (
        "your values are {factor} × the reference on every failing case, and {factor} is"
        " 1/ln {base}: use the natural logarithm np.log, not log{base}"
    ),
    "sig_offset": (
        "your values are off by the same constant {offset} on every failing case:"
        " a constant term is missing or extra"
    ),
    "sig_2d_only": (
        "right on 1-D inputs but wrong on 2-D ones: check what your code does along the"
        " second axis (reduce along the given axis only, with keepdims=True; let NumPy"
        " broadcast instead of flattening)"
    ),
    # -- notebooks (issue 5: grader/notebook.py, grader/notebook_grader.py, grader/kernel.py) --
    "nb_invalid": "{file}: not a valid notebook: {problem}",
    "nb_bad_json": "invalid JSON at line {line}, column {column} ({error})",
    "nb_truncated": "; the file looks truncated (was it saved completely?)",
    "nb_too_deep": "its JSON is nested too deeply to be a notebook",
    "nb_not_object": "the file is JSON but not a notebook (expected an object with 'cells')",
    "nb_bad_version": "unknown notebook format version {version!r} (expected 4, or 1 to 3)",
    "nb_field": "{field}: {problem}",
    "nb_not_python": (
        "{file}: the notebook's language is {language}; only Python notebooks can be graded"
    ),
    "nb_cell": "cell {number} (`{first}`)",
    "nb_cell_defines": "cell {number} (defines {names})",
    "watch_waiting": "watching {path}: saving a file grades it again (Ctrl-C to stop)",
    "watch_stopped": "stopped watching",
    "magic_failed": "%grade could not grade the cells (exit code {code}); try `grade` in a"
    " terminal",
    "nb_magic_ignored": "cell {number}: `{line}` was not run (magics and shell commands are"
    " ignored when grading)",
    "nb_cell_magic_body": "cell {number}: ran the cell's code without `{magic}`",
    "nb_cell_magic_skipped": "cell {number}: `{magic}` cell was not run (only Python cells are"
    " graded)",
    "nb_cell_problem": "{cell}: {what}",
    "nb_raised": "raised {error}",
    "nb_raised_at": "raised {error} (line {line} of the cell)",
    "nb_exit": "called exit ({code}); the cells after it still ran",
    "nb_not_defined_because": "{problem}; so {name} was not defined",
    "nb_left_out": "{problem}; the cell was left out, and {name} is defined only there",
    "nb_no_cell_defines": "no code cell of {file} defines {name}",
    "nb_mode_python": "graded without a kernel (cells run as plain Python)",
    "nb_mode_kernel": "graded in a Jupyter kernel (ipykernel)",
    "nb_kernel_died": "stopped the kernel (exit or crash); the cell was left out",
    "nb_kernel_failed": "the Jupyter kernel could not start: {error}",
    "kernel_unconfined": (
        "--kernel runs the notebook in a Jupyter kernel, which the sandbox cannot confine;"
        " grade without --kernel (the cells then run as plain Python in the sandbox), or add"
        " --sandbox local to run the kernel unconfined (for your own notebook only)"
    ),
    "nb_graded_stub": "{file} is still the stub: graded what {notebook} defines instead",
    "nb_py_wins": "graded {files}; {notebook} also defines them (when both are worked on, the"
    " .py file is graded)",
    "nb_not_read": "a notebook was not read (the .py files were graded): {error}",
    # -- student releases (grader/release/) ---------------------------------------------------
    "release_shown": "grader {version} · release {fingerprint}",
    "release_other": "made from another release of the course ({fingerprint}); changed since:"
    " {changed}",
    "release_no_hidden": "--include-hidden: this is a student release; its hidden cases are"
    " graded after you submit",
    # -- the command line (grader/cli_text.py): argparse's own words, then `grade`'s help;
    # looked up by their English, which must stay exactly as argparse and cli.py write it
    "argparse_usage": "usage: ",
    "argparse_positional": "positional arguments",
    "argparse_options": "options",
    "argparse_optional": "optional arguments",
    "argparse_help": "show this help message and exit",
    "argparse_version": "show program's version number and exit",
    "argparse_error": "%(prog)s: error: %(message)s\n",
    "argparse_required": "the following arguments are required: %s",
    "argparse_unrecognized": "unrecognized arguments: %s",
    "argparse_argument": "argument %(argument_name)s: %(message)s",
    "argparse_choice": "invalid choice: %(value)r (choose from %(choices)s)",
    "argparse_type": "invalid %(type)s value: %(value)r",
    "argparse_one": "expected one argument",
    "argparse_at_most_one": "expected at most one argument",
    "argparse_at_least_one": "expected at least one argument",
    "argparse_n_one": "expected %s argument",
    "argparse_n_many": "expected %s arguments",
    "argparse_ambiguous": "ambiguous option: %(option)s could match %(matches)s",
    "argparse_not_allowed": "not allowed with argument %s",
    "argparse_ignored": "ignored explicit argument %r",
    "argparse_one_of": "one of the arguments %s is required",
    "cli_description": "Grade lecture exercises against reference solutions, per YAML rubric.",
    "cli_path": "a folder of exercise files, or one exercise file (default: exercises/)",
    "cli_rubrics": (
        "folder of rubric YAML files (default: the rubrics/ folder found from the current"
        " folder upward, else from PATH upward)"
    ),
    "cli_solutions": "reference solutions (default: solutions/ beside the rubrics)",
    "cli_list": "list the exercises, their cases and points (visible and hidden), and exit",
    "cli_format": (
        "report format: github, gradescope, html, json, junit, markdown, terminal (default:"
        " terminal; github when GITHUB_ACTIONS=true)"
    ),
    "cli_output": "write the report to FILE",
    "cli_report": (
        "also write the report in FORMAT to PATH (repeatable; e.g. junit=out/junit.xml)"
    ),
    "cli_fail_under": (
        "exit 0 when the score is at least PERCENT of the points, whatever failed (default:"
        " exit 1 when any case fails)"
    ),
    "cli_lang": "language of the report (default: ja when LC_ALL/LC_MESSAGES/LANG start with ja)",
    "cli_include_hidden": "also run hidden cases (instructors)",
    "cli_sandbox": (
        "where student code runs: secure (Linux namespaces + seccomp), local (a child process"
        " with limits; not a security boundary) or auto (secure where it works; default); see"
        " docs/security.md"
    ),
    "cli_no_cache": "re-validate rubrics instead of using the cache",
    "cli_kernel": (
        "run notebooks (.ipynb) in a Jupyter kernel (ipykernel) instead of as plain Python"
    ),
    "cli_watch": (
        "grade again whenever a file under PATH is saved, until Ctrl-C (then exit 0); needs"
        " watchfiles: uv sync --extra watch"
    ),
    "cli_magic": "grade the cells this kernel has run, in the sandbox",
    "cli_magic_exercises": "exercise ids (default: every exercise)",
    "cli_usage": "grade [PATH] [options]\n       grade COMMAND [options]  (grade help COMMAND)",
    "cli_epilog": (
        "exit codes (every command): 0 done, 1 some case failed (grade) or problems found, 2"
        " usage or rubric error, 3 internal error, 4 some submissions not graded (batch: run"
        " again), 130 interrupted"
    ),
    "cli_commands": "commands",
    "cli_commands_help": "instead of grading PATH (grade help COMMAND shows its options)",
    "cli_batch": "grade a folder of submissions into a gradebook (resumable)",
    "cli_export": "write reports, grades.csv, LMS files and the summary again",
    "cli_bundle": "build the Gradescope autograder zip",
    "cli_release": "write the student repository of the course",
    "cli_check_rubrics": "report every problem of the course's rubrics with file and line",
    "cli_help": "show the help of grade or of COMMAND",
    "cli_help_topic": "a command's name",
    "cli_batch_title": "grade batch: grade a folder of submissions into a gradebook (resumable)",
    "cli_batch_submissions": "folder with one entry per student",
    "cli_batch_output": "results folder: gradebook.sqlite, reports, CSVs, summary (required)",
    "cli_course_rubrics": (
        "folder of rubric YAML files (default: the rubrics/ folder found from the current"
        " folder upward)"
    ),
    "cli_batch_roster": (
        "CSV with columns name (the entry's name) and id, plus LMS columns; kept in the"
        " gradebook for later runs (default: the roster of an earlier run, if any)"
    ),
    "cli_batch_workers": "submissions graded at once (default: the number of cores)",
    "cli_batch_regrade": "grade everything again and print whose score changed (default: resume)",
    "cli_batch_progress": "progress bar on stderr (default: when stderr is a terminal)",
    "cli_batch_dask": "grade on this Dask cluster (tcp://host:8786)",
    "cli_batch_sandbox": (
        "where student code runs (default auto: secure where bubblewrap works; one sandbox for"
        " the batch that shows no submission, each child gets only its own files)"
    ),
    "cli_batch_kernel": (
        "not available for batches: notebooks are graded as plain Python in the sandbox (an"
        " error says so; use `grade --kernel NOTEBOOK` for one notebook)"
    ),
    "cli_batch_lang": (
        "language of the students' reports and the summary (default: the last one given, else"
        " from the locale)"
    ),
    "cli_batch_assignment": (
        "assignment (column) name in the LMS files, kept for later runs and exports (default:"
        " the last one given, else 'Lecture exercises')"
    ),
    "cli_batch_no_export": "do not write the exports",
    "cli_export_title": "grade export: write reports, grades.csv, LMS files and the summary again",
    "cli_export_results": "the --output folder of `grade batch`",
    "cli_export_assignment": (
        "assignment (column) name in the LMS files, kept for later runs (default: the one"
        " `grade batch` or an earlier export was given, else 'Lecture exercises')"
    ),
    "cli_export_lang": "language of the reports and the summary (default: the batch's language)",
    "cli_bundle_title": "grade gradescope-bundle: build the Gradescope autograder zip",
    "cli_bundle_output": "where to write the zip (default: autograder.zip)",
    "cli_bundle_lang": "language of the students' results on Gradescope (default: en)",
    "cli_bundle_sandbox": (
        "secure: grade nothing where secure mode cannot run in Gradescope's image (each "
        "result then says why); auto (default): fall back to local mode there"
    ),
    # -- instructors: command line, batch exports, Gradescope (issue 17) ---------------
    "list_hidden_points": "{points} hidden",
    "list_footer": (
        "hidden cases run only with --include-hidden (instructors, batch grading, "
        "Gradescope); your own runs show the visible points"
    ),
    "summary_roster": (
        "roster: {missing} students without a submission, {strangers} submissions not "
        "on the roster (both listed below)."
    ),
    "summary_missing": "On the roster, no submission",
    "summary_not_on_roster": "Not on the roster (left out of the LMS files)",
    "summary_common": "Most common failures per exercise (students)",
    "summary_all_passed": "every graded case passed",
    "summary_students": "{count} of {total} students",
    "summary_misconception": "misconception",
    "summary_per_student": "Students",
    "summary_no_submission": "no submission",
    "summary_not_graded": "not graded (grader failure; run grade batch again)",
    "summary_title": "Batch summary",
    "summary_counts": (
        "{submitted} submissions: {graded} graded, {refused} refused (unsafe or unreadable;"
        " scored 0), {failed} not graded (grader failures)."
    ),
    "summary_scores": "Scores",
    "summary_mean": "mean",
    "summary_median": "median",
    "summary_min": "min",
    "summary_max": "max",
    "summary_out_of": "out of",
    "summary_distribution": "Distribution",
    "summary_score": "score",
    "summary_students_column": "students",
    "summary_exercises": "Exercises",
    "summary_exercise": "exercise",
    "summary_full_marks": "full marks",
    "summary_hardest": "Hardest cases",
    "summary_case": "case",
    "summary_passed": "passed",
    "summary_hidden": " (hidden)",
    "summary_failed": "Not graded (grader failures; run `grade batch` again to retry)",
    "summary_refused": "Refused submissions",
    "lms_no_submission": "no submission received",
    "gs_hidden_pending": "Hidden cases: {points} more points, shown once grades are published.",
    "gs_sandbox": "Your code ran in the grader's {mode} sandbox mode.",
    # -- usage errors: what a command line asks that cannot be done (grader/cli.py) -----
    "usage_error_prefix": "error:",
    "usage_interrupted": "interrupted",
    "usage_internal": "internal error: {error} (re-run with --traceback and report it)",
    "usage_no_command": "help: no command {name} (commands: {commands})",
    "usage_no_path": "{path}: no such file or folder",
    "usage_no_rubrics_above": (
        "rubrics: no rubrics/ folder in {where} or any folder above (use --rubrics DIR)"
    ),
    "usage_no_rubric_folder": "{path}: rubric folder not found (use --rubrics DIR)",
    "usage_no_rubric_files": "{path}: no *.yaml rubrics in this folder",
    "usage_no_solutions": "{path}: solutions folder not found",
    "usage_kernel_not_notebook": (
        "--kernel runs notebooks (.ipynb) in a Jupyter kernel; {path} is not a notebook"
        " (drop --kernel to grade it)"
    ),
    "usage_cannot_write": "{path}: cannot write the report: {error}",
    "usage_watch_list": "--watch grades PATH again on every save; it cannot be used with --list",
    "usage_watch_package": (
        "--watch needs the watchfiles package: uv sync --extra watch (or pip install watchfiles)"
    ),
    "usage_cannot_read_notebook": "{path}: cannot read the notebook: {error}",
    "usage_no_notebook_folder": "{path}: the notebook's folder was not found",
    "usage_cells_too_long": "{name}: the cells run so far are too long to grade",
    "usage_unknown_exercise": "no exercise {names}; known: {known}",
    "usage_no_rubric_for_file": "{path}: no rubric grades a file named {name} (known: {known})",
    "usage_unknown_sandbox": "--sandbox: unknown mode {mode}; use one of {modes}",
    "usage_no_secure": "--sandbox secure cannot run here: {reason}",
    # -- batch grading (grader/batch/) -----------------------------------------------------
    "batch_refused": "your submission was not graded: {reason}",
    "batch_unsafe_path": "the archive holds a path that leaves its folder ({name})",
    "batch_link": "the submission holds a link or special file ({name}); submit plain files",
    "batch_encrypted": "the archive holds an encrypted file ({name})",
    "batch_name_conflict": "the archive holds {name} twice, or as a file and a folder",
    "batch_name_too_long": "the archive holds a name longer than {limit} bytes ({name})",
    "batch_too_many_files": "the submission holds more than {limit} files",
    "batch_too_large": "the submission is larger than {limit}",
    "batch_zip_bomb": "the archive expands far more than ordinary files do (ratio {ratio})",
    "batch_bad_zip": "the archive cannot be read ({error})",
    "batch_unreadable": "the submission cannot be read ({error})",
    "batch_warning": "warning: {text}",
    "batch_rekeyed": "note: {old} is now student {new} (roster); kept its grade",
    "batch_found": "{count} submissions in {folder}: {todo} to grade",
    "batch_kept": ", {count} unchanged since the last run (kept)",
    "batch_interrupted": (
        "interrupted: {done} of {total} graded this run and saved in {path}; run the same"
        " command again to grade the rest"
    ),
    "batch_unconfined": "warning: grading in local mode, where student code is not confined: {why}",
    "batch_unconfined_cluster": (
        "warning: {count} submissions were graded in local mode on the cluster, where student"
        " code is not confined: {why}"
    ),
    "batch_no_secure": "secure mode could not start",
    "batch_wrote": "wrote {count} files to {folder}",
    "batch_done": "{graded} graded, {refused} refused, {failed} grader errors",
    "batch_retry": " (not the students' fault; run the same command again to retry them)",
    "batch_no_change": "regrade: no score changed",
    "batch_changes": "score changes ({count} students):",
    "batch_progress_errors": "{count} grader errors",
    "batch_progress_refused": "{count} refused",
    "batch_list_separator": ", ",
}


#: sentences with a count, as (singular, plural) English; gettext ``msgid_plural`` entries
PLURALS: dict[str, tuple[str, str]] = {
    "n_hidden_cases": ("{count} hidden case", "{count} hidden cases"),
    "n_points": ("{count} point", "{count} points"),
    "list_cases": ("{count} case", "{count} cases"),
    "list_hidden": ("{count} hidden", "{count} hidden"),
    "more_failures": (
        "{count} more failed case not annotated; see the job summary",
        "{count} more failed cases not annotated; see the job summary",
    ),
    "nb_lines_skipped": ("... ({count} line) ...", "... ({count} lines) ..."),
}
