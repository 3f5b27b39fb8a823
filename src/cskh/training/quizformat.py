"""The plain-text form in which a lead writes a learning path's lessons and quizzes:

    ## Lesson title
    @ 12                    (optional: the knowledge article id to read)
    ? Question
    * the correct choice
    - a wrong choice

Parsed into ``services.StepSpec``; the services check the rest (one correct choice each)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cskh.core.errors import DomainError
from cskh.training.services import QuestionSpec, StepSpec

__all__ = ["parse"]


def parse(text: str) -> list[StepSpec]:
    steps: list[dict] = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head, rest = line[:2], line[2:].strip() if line[:2] == "##" else line[1:].strip()
        if head == "##":
            steps.append({"title": rest, "article": None, "questions": []})
            continue
        if not steps:
            raise DomainError(_("Dòng %(n)s: hãy bắt đầu bằng tên bài (## …).") % {"n": n})
        step = steps[-1]
        mark = line[0]
        if mark == "@":
            if not rest.isdigit():
                raise DomainError(_("Dòng %(n)s: mã bài viết phải là số.") % {"n": n})
            step["article"] = int(rest)
        elif mark == "?":
            step["questions"].append({"text": rest, "choices": []})
        elif mark in "*-":
            if not step["questions"]:
                raise DomainError(_("Dòng %(n)s: phương án phải sau một câu hỏi (? …).") % {"n": n})
            step["questions"][-1]["choices"].append((rest, mark == "*"))
        else:
            raise DomainError(_("Dòng %(n)s: không hiểu; dùng ##, @, ?, * hoặc -.") % {"n": n})
    return [
        StepSpec(
            s["title"],
            s["article"],
            [QuestionSpec(q["text"], q["choices"]) for q in s["questions"]],
        )
        for s in steps
    ]
