"""Form helpers every blueprint shares."""

from __future__ import annotations

from collections.abc import Callable


def show_problems(form, problems: list[tuple[str | None, str]], field_for: Callable) -> None:
    """Put each ballot-rule message ``(subject_key, message)`` beside the field
    ``field_for(subject_key)`` returns, or at the top of the form when none."""
    for subject_key, message in problems:
        target = field_for(subject_key) if subject_key is not None else None
        if target is None:
            form.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]
