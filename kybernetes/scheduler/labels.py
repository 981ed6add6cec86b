# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Selectors the scheduler evaluates on its hot path, compiled once into plain closures:
label selectors, node selector terms (node affinity, PV node affinity) and taints
against tolerations."""
from __future__ import annotations

from typing import Callable, Mapping

LabelMatcher = Callable[[Mapping[str, str]], bool]


def _never(labels: Mapping[str, str]) -> bool:
    return False


def _always(labels: Mapping[str, str]) -> bool:
    return True


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _expression(key: str, operator: str, values: list[str]) -> LabelMatcher:
    value_set = frozenset(values or ())
    if operator == "In":
        return lambda labels: labels.get(key) in value_set if key in labels else False
    if operator == "NotIn":
        return lambda labels: key not in labels or labels[key] not in value_set
    if operator == "Exists":
        return lambda labels: key in labels
    if operator == "DoesNotExist":
        return lambda labels: key not in labels
    if operator in ("Gt", "Lt") and len(values or ()) == 1 and _int_or_none(values[0]) is not None:
        bound, greater = int(values[0]), operator == "Gt"

        def compare(labels: Mapping[str, str]) -> bool:
            have = _int_or_none(labels[key]) if key in labels else None
            if have is None:
                return False
            return have > bound if greater else have < bound
        return compare
    return _never


def compile_label_selector(selector: Mapping | None) -> LabelMatcher:
    """A metav1.LabelSelector: None matches nothing, {} matches everything."""
    if selector is None:
        return _never
    match_labels = dict(selector.get("matchLabels") or {})
    expressions = [_expression(e.get("key", ""), e.get("operator", ""), e.get("values") or [])
                   for e in selector.get("matchExpressions") or []]
    if not match_labels and not expressions:
        return _always
    items = tuple(match_labels.items())
    if not expressions:
        if len(items) == 1:
            (only_key, only_value), = items
            return lambda labels: labels.get(only_key) == only_value
        return lambda labels: all(labels.get(k) == v for k, v in items)
    return lambda labels: all(labels.get(k) == v for k, v in items) and all(
        e(labels) for e in expressions)


def selector_from_map(labels: Mapping[str, str]) -> LabelMatcher:
    """A map selector (Service, ReplicationController): empty selects nothing here, as
    the spreading defaults treat it."""
    return compile_label_selector({"matchLabels": dict(labels)}) if labels else _never


def compile_node_selector_term(term: Mapping) -> Callable[[Mapping[str, str], str], bool]:
    """One NodeSelectorTerm (matchExpressions AND matchFields on metadata.name). A term
    with neither matches no node, as upstream."""
    expressions = [_expression(e.get("key", ""), e.get("operator", ""), e.get("values") or [])
                   for e in term.get("matchExpressions") or []]
    fields = [_expression("metadata.name", e.get("operator", ""), e.get("values") or [])
              for e in term.get("matchFields") or [] if e.get("key") == "metadata.name"]
    invalid_fields = any(e.get("key") != "metadata.name" for e in term.get("matchFields") or [])
    if (not expressions and not fields) or invalid_fields:
        return lambda labels, name: False
    if not fields:
        return lambda labels, name: all(e(labels) for e in expressions)
    return lambda labels, name: all(e(labels) for e in expressions) and all(
        f({"metadata.name": name}) for f in fields)


def compile_node_selector(selector: Mapping | None) -> Callable[[Mapping[str, str], str], bool] | None:
    """A NodeSelector (terms ORed), or None when there is none (everything matches)."""
    if selector is None:
        return None
    terms = [compile_node_selector_term(t) for t in selector.get("nodeSelectorTerms") or []]
    return lambda labels, name: any(t(labels, name) for t in terms)


# ---------------------------------------------------------------------- taints
def toleration_tolerates(toleration: Mapping, taint: Mapping) -> bool:
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return not key or key == taint.get("key")
    return key == taint.get("key") and (toleration.get("value") or "") == (taint.get("value") or "")


def tolerates(tolerations: list, taint: Mapping) -> bool:
    return any(toleration_tolerates(t, taint) for t in tolerations)


def first_untolerated(taints: list, tolerations: list, effects: tuple[str, ...]) -> Mapping | None:
    for taint in taints:
        if taint.get("effect") in effects and not tolerates(tolerations, taint):
            return taint
    return None
