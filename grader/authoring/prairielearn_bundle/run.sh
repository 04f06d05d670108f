#!/usr/bin/env bash
# PrairieLearn runs this for every submission to a torchdrill question: it is the entrypoint
# in the question's info.json, `/grade/serverFilesCourse/torchdrill/run.sh EXERCISE TIME_LIMIT`.
# It grades the learner's EXERCISE in /grade/student with the course beside this script and
# writes /grade/results/results.json, which PrairieLearn reads only when this script exits 0:
# so it always exits 0, and when Python could not even write the results, a results.json that
# says so (not gradable: the learner keeps the attempt) stands in. TORCHDRILL_GRADE_ROOT moves
# the /grade layout, TORCHDRILL_PYTHON picks the interpreter and TORCHDRILL_SANDBOX (auto,
# bwrap, none) how learner code is isolated (the self-test uses all three).
set -uo pipefail
ROOT="${TORCHDRILL_GRADE_ROOT:-/grade}"
RESULTS="$ROOT/results/results.json"
cd "$(dirname "$0")" || exit 0
rm -f "$RESULTS"
"${TORCHDRILL_PYTHON:-/opt/torchdrill/.venv/bin/python}" -m grader prairielearn --autograde "${1:-}" \
    --time-limit "${2:-120}" --root "$ROOT" --sandbox "${TORCHDRILL_SANDBOX:-auto}"
if [ $? -ne 0 ]; then
    MESSAGE="The autograder could not start. It was not counted; your instructor has the details in the grading log."
    mkdir -p "$ROOT/results"
    printf '{"gradable": false, "message": "%s", "format_errors": ["%s"]}\n' "$MESSAGE" "$MESSAGE" > "$RESULTS"
fi
exit 0
