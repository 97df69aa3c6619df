"""A round's ``[rules]`` in words, for the secretary: the round page lists
them under its settings, so a limit such as "优秀 at most 1/3 per ballot" is
known before anyone votes, never learnt from a refusal.  The rules of
surveyapp and of the plugins shipped with it are put in sentences; any
other plugin's rule is shown with that plugin's own description."""

from __future__ import annotations

from flask_babel import gettext as _

from ... import plugins
from ...domain import rules
from ...domain.model import RoundSpec


def share_text(value) -> str:
    """1/3 as "1/3", 0.3 as "30%"."""
    share = rules.as_fraction(value, "share")
    if share.denominator <= 10:
        return f"{share.numerator}/{share.denominator}" if share.denominator > 1 \
            else str(share.numerator)
    return f"{float(share * 100):g}%"


def _label(spec: RoundSpec, key: str) -> str:
    return rules.proposal_labels(spec).get(key, key)


def sentences(spec: RoundSpec) -> list[str]:
    """Each rule the round sets, as a sentence in the page's language."""
    found: list[str] = []
    settings = spec.rules
    try:
        for limit in rules.ballot_limits(spec):
            if limit.share is None:
                found.append(_("On each ballot, at most %(allowed)d people may get "
                               "“%(option)s”.", allowed=limit.allowed, option=limit.label))
            else:
                found.append(_("On each ballot, at most %(share)s of the people may get "
                               "“%(option)s”: %(allowed)d of %(total)d.",
                               share=share_text(limit.share), allowed=limit.allowed,
                               total=limit.total, option=limit.label))
        if "excellent_quota" in settings:
            quota = rules.as_fraction(settings["excellent_quota"], "excellent_quota")
            found.append(_("“%(option)s” is proposed for at most %(share)s of the people "
                           "(%(n)d of %(total)d); a tie at that place is left to the committee.",
                           option=_label(spec, "excellent"), share=share_text(quota),
                           n=rules.quota_limit(quota, len(spec.subjects)),
                           total=len(spec.subjects)))
        if settings.get("bands"):
            steps = [_("%(option)s from %(min)s", option=_label(spec, option),
                       min=format(float(low), "g"))
                     for low, option in rules.bands(settings["bands"])]
            # TRANSLATORS: between the items of a list in a sentence.
            found.append(_("Proposed grade by score: %(steps)s.", steps=_("; ").join(steps)))
        for option, value in (settings.get("presume_fail_share") or {}).items():
            found.append(_("More than %(share)s “%(option)s” votes: presumed “%(option)s”, "
                           "for the organisation to verify.", share=share_text(value),
                           option=_label(spec, option)))
        for option, value in (settings.get("review_share") or {}).items():
            found.append(_("More than %(share)s “%(option)s” votes: flagged for review.",
                           share=share_text(value), option=_label(spec, option)))
        if "quorum" in settings:
            strict = settings.get("quorum_strict", True) is not False
            share = share_text(settings["quorum"])
            found.append(_("Each group with an expected number needs more than %(share)s of "
                           "its expected voters to take part.", share=share) if strict else
                         _("Each group with an expected number needs at least %(share)s of "
                           "its expected voters to take part.", share=share))
        approval = settings.get("approval")
        if isinstance(approval, dict):
            found.append(_("Flagged when fewer than %(share)s of the answers are %(options)s.",
                           share=share_text(approval.get("min")),
                           options=_(", ").join(f"“{_label(spec, o)}”"
                                            for o in approval.get("options", []))))
    except ValueError:
        pass  # refused when the round was made; nothing to say about a broken value
    known = {"per_ballot_max", "excellent_quota", "bands", "presume_fail_share",
             "review_share", "quorum", "quorum_strict", "approval"}
    described = plugins.rule_names()
    for name in settings:
        if name not in known:
            found.append(described.get(name, name))
    return found
