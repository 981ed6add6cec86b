# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Checks for batch/v1: Job and CronJob, including cron schedules and time zones."""
from __future__ import annotations

import zoneinfo

from .errors import Cause, immutable, invalid, join, not_supported, required
from .meta import (label_selector_repr, selector_matches, validate_label_selector,
                   validate_nonnegative)
from .pods import validate_pod_template

CRON_MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_CRON_FIELDS = ((0, 59, {}), (0, 23, {}), (1, 31, {}),
                (1, 12, {m: i + 1 for i, m in enumerate(
                    "jan feb mar apr may jun jul aug sep oct nov dec".split())}),
                (0, 6, {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}))


def _cron_value(text: str, names: dict) -> int:
    if text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise ValueError(f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": '
                         "invalid syntax")
    return int(text)


def parse_cron_field(text: str, low: int, high: int, names: dict) -> None:
    """Raise ValueError (with robfig/cron's wording) unless `text` is a valid cron field."""
    for part in text.split(","):
        range_part, _, step = part.partition("/")
        if range_part in ("*", "?"):
            start, end = low, high
        else:
            first, _, last = range_part.partition("-")
            start = _cron_value(first, names)
            end = _cron_value(last, names) if last else start
        if step:
            if not step.isdigit():
                raise ValueError(f'failed to parse int from {step}: strconv.Atoi: parsing '
                                 f'"{step}": invalid syntax')
            if int(step) == 0:
                raise ValueError(f"step of range should be a positive number: {part}")
        if start < low:
            raise ValueError(f"beginning of range ({start}) below minimum ({low}): {part}")
        if end > high:
            raise ValueError(f"end of range ({end}) above maximum ({high}): {part}")
        if start > end:
            raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {part}")


def validate_schedule(schedule: str) -> str | None:
    """None when valid, else the parser's complaint."""
    text = schedule.strip()
    if text.startswith("TZ=") or text.startswith("CRON_TZ="):
        return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    if text.startswith("@"):
        if text in CRON_MACROS or text.startswith("@every "):
            return None
        return f"unrecognized descriptor: {text}"
    fields = text.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: {text}"
    try:
        for field, (low, high, names) in zip(fields, _CRON_FIELDS):
            parse_cron_field(field, low, high, names)
    except ValueError as err:
        return str(err)
    return None


def validate_job_spec(spec: dict, path: str, manual_selector_expected: bool = True,
                      is_template: bool = False) -> list[Cause]:
    causes: list[Cause] = []
    for field in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                  "ttlSecondsAfterFinished"):
        causes.extend(validate_nonnegative(join(path, field), spec.get(field)))
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and deadline == 0:
        causes.append(invalid(join(path, "activeDeadlineSeconds"), 0, "must be greater than 0"))
    mode = spec.get("completionMode")
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        causes.append(not_supported(join(path, "completionMode"), mode, ("NonIndexed", "Indexed")))
    if mode == "Indexed" and spec.get("completions") is None:
        causes.append(required(join(path, "completions"),
                               "when completion mode is Indexed"))
    selector = spec.get("selector")
    template = spec.get("template")
    if selector is not None:
        causes.extend(validate_label_selector(selector, join(path, "selector")))
    elif not is_template and spec.get("manualSelector") and manual_selector_expected:
        causes.append(required(join(path, "selector")))
    if template is None:
        causes.append(required(join(path, "template")))
        return causes
    labels = (template.get("metadata") or {}).get("labels") or {}
    if selector and (selector.get("matchLabels") or selector.get("matchExpressions")) \
            and not selector_matches(selector, labels):
        causes.append(invalid(join(path, "template.metadata.labels"), labels,
                              "`selector` does not match template `labels`"))
    causes.extend(validate_pod_template(template, join(path, "template")))
    restart = (template.get("spec") or {}).get("restartPolicy")
    if restart not in ("OnFailure", "Never"):
        causes.append(not_supported(join(path, "template.spec.restartPolicy"), restart or "",
                                    ("OnFailure", "Never")))
    return causes


JOB_MUTABLE = ("parallelism", "activeDeadlineSeconds", "suspend", "ttlSecondsAfterFinished",
               "completions", "backoffLimitPerIndex", "maxFailedIndexes", "managedBy")


def validate_job(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = validate_job_spec(spec, "spec")
    if old is not None:
        old_spec = old.get("spec") or {}
        if spec.get("selector") != old_spec.get("selector"):
            causes.append(immutable("spec.selector", label_selector_repr(spec.get("selector"))))
        if spec.get("template") != old_spec.get("template"):
            causes.append(immutable("spec.template", _template_repr()))
        if spec.get("completionMode") != old_spec.get("completionMode"):
            causes.append(immutable("spec.completionMode", spec.get("completionMode")))
        if spec.get("completions") != old_spec.get("completions") and \
                spec.get("completionMode") != "Indexed":
            causes.append(immutable("spec.completions", spec.get("completions")))
    return causes


def _template_repr():
    from .errors import GoValue
    return GoValue("core.PodTemplateSpec{...}")


def validate_cron_job(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    name = (obj.get("metadata") or {}).get("name", "")
    if len(name) > 52:
        causes.append(invalid("metadata.name", name, "must be no more than 52 characters"))
    schedule = spec.get("schedule", "")
    if not schedule:
        causes.append(required("spec.schedule"))
    else:
        problem = validate_schedule(schedule)
        if problem:
            causes.append(invalid("spec.schedule", schedule, problem))
    zone = spec.get("timeZone")
    if zone is not None:
        if not zone or zone.lower() == "local" or " " in zone:
            causes.append(invalid("spec.timeZone", zone, "unknown time zone " + zone))
        else:
            try:
                zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                causes.append(invalid("spec.timeZone", zone, "unknown time zone " + zone))
    policy = spec.get("concurrencyPolicy", "")
    if policy not in ("Allow", "Forbid", "Replace"):
        causes.append(not_supported("spec.concurrencyPolicy", policy, ("Allow", "Forbid", "Replace"))
                      if policy else required("spec.concurrencyPolicy"))
    for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        causes.extend(validate_nonnegative(f"spec.{field}", spec.get(field)))
    job_template = spec.get("jobTemplate")
    if job_template is None:
        causes.append(required("spec.jobTemplate"))
    else:
        from .meta import validate_labels
        labels = (job_template.get("metadata") or {}).get("labels")
        causes.extend(validate_labels(labels, "spec.jobTemplate.metadata.labels"))
        job_spec = job_template.get("spec") or {}
        if job_spec.get("manualSelector"):
            causes.append(invalid("spec.jobTemplate.spec.manualSelector", True,
                                  "`manualSelector` must be unset or false"))
        causes.extend(validate_job_spec(job_spec, "spec.jobTemplate.spec", is_template=True))
    return causes


BATCH_VALIDATORS = {"Job": validate_job, "CronJob": validate_cron_job}
