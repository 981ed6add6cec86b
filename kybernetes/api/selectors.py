# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Label and field selectors: parsing, matching and printing, as Kubernetes 1.32 does them.

The grammar, the error messages and the printed form follow apimachinery's
`labels` and `fields` packages, because the API server answers a bad selector with
400 BadRequest carrying exactly that message, and because the scale subresource's
`status.selector` string is compared by clients (kubectl, HPA) as text.

Field selectors are also checked per kind: each kind accepts only the fields
upstream's field-label conversion functions accept, and `field_values` gives the
field set upstream's registry strategies (GetAttrs) expose for an object.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

__all__ = [
    "SelectorError", "Requirement", "LabelSelector", "parse_label_selector",
    "selector_from_label_selector_object", "selector_from_set", "label_selector_to_string",
    "format_label_selector", "FieldSelector", "parse_field_selector", "escape_field_value",
    "field_values", "check_field_selector", "normalize_field_selector", "supported_fields",
]


class SelectorError(ValueError):
    """A selector that does not parse or names an unsupported field; str() is upstream's message."""


def _go_quote(value: str) -> str:
    """Go's %q for the printable strings selectors carry."""
    return json.dumps(value, ensure_ascii=False)


# --- label key and value validation (apimachinery util/validation) -------------------

_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_RE = re.compile(_QUALIFIED_NAME_FMT)
_QUALIFIED_NAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', "
                       "and must start and end with an alphanumeric character")
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1123_SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                          "characters, '-' or '.', and must start and end with an alphanumeric character")
_LABEL_VALUE_FMT = f"({_QUALIFIED_NAME_FMT})?"
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)
_LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, "
                    "'-', '_' or '.', and must start and end with an alphanumeric character")


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {shown}regex used for validation is '{fmt}')"


def _full_match(regex: re.Pattern, value: str) -> bool:
    # fullmatch, not `^...$`: Python's `$` also matches before a trailing newline.
    return regex.fullmatch(value) is not None


def qualified_name_errors(value: str) -> list[str]:
    """Why `value` is not a valid label key (empty list when it is)."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            if len(prefix) > 253:
                errs.append("prefix part must be no more than 253 characters")
            if not _full_match(_DNS1123_SUBDOMAIN_RE, prefix):
                errs.append("prefix part " + _regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT,
                                                          "example.com"))
    else:
        return ["a qualified name " + _regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT,
                                                   "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part must be no more than 63 characters")
    if not _full_match(_QUALIFIED_NAME_RE, name):
        errs.append("name part " + _regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT,
                                                "MyName", "my.name", "123-abc"))
    return errs


def label_value_errors(value: str) -> list[str]:
    """Why `value` is not a valid label value (empty list when it is)."""
    errs: list[str] = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not _full_match(_LABEL_VALUE_RE, value):
        errs.append(_regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def _invalid(path: str, value: str, details: list[str]) -> str:
    return f"{path}: Invalid value: {_go_quote(value)}: {'; '.join(details)}"


def _aggregate(messages: list[str]) -> str:
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


# --- label selectors -------------------------------------------------------------------

# Operators as apimachinery's `selection` package spells them.
EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "=", "==", "!="
IN, NOT_IN, EXISTS, DOES_NOT_EXIST = "in", "notin", "exists", "!"
GREATER_THAN, LESS_THAN = "gt", "lt"
_BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)


def _parse_int64(text: str) -> int | None:
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    number = int(text)
    return number if -(1 << 63) <= number < (1 << 63) else None


@dataclass(frozen=True)
class Requirement:
    """One term of a label selector: `key operator values`."""
    key: str
    operator: str
    values: tuple[str, ...] = ()

    @classmethod
    def new(cls, key: str, operator: str, values: Iterable[str] = ()) -> "Requirement":
        """Build and validate a requirement; SelectorError with upstream's message if invalid."""
        values = tuple(values)
        errors: list[str] = []
        if key_errors := qualified_name_errors(key):
            errors.append(_invalid("key", key, key_errors))
        if operator in (IN, NOT_IN):
            if not values:
                errors.append("values: Invalid value: []string{}: for 'in', 'notin' operators, "
                              "values set can't be empty")
        elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
            if len(values) != 1:
                errors.append(f"values: Invalid value: {_go_slice(values)}: "
                              "exact-match compatibility requires one single value")
        elif operator in (EXISTS, DOES_NOT_EXIST):
            if values:
                errors.append(f"values: Invalid value: {_go_slice(values)}: "
                              "values set must be empty for exists and does not exist")
        elif operator in (GREATER_THAN, LESS_THAN):
            if len(values) != 1:
                errors.append(f"values: Invalid value: {_go_slice(values)}: "
                              "for 'Gt', 'Lt' operators, exactly one value is required")
            for i, value in enumerate(values):
                if _parse_int64(value) is None:
                    errors.append(f"values[{i}]: Invalid value: {_go_quote(value)}: "
                                  "for 'Gt', 'Lt' operators, the value must be an integer")
        else:
            supported = ", ".join(_go_quote(op) for op in _BINARY_OPERATORS + (EXISTS, DOES_NOT_EXIST))
            errors.append(f"operator: Unsupported value: {_go_quote(operator)}: supported values: {supported}")
        for i, value in enumerate(values):
            if value_errors := label_value_errors(value):
                errors.append(_invalid(f"values[{i}][{key}]", value, value_errors))
        if errors:
            raise SelectorError(_aggregate(errors))
        return cls(key, operator, values)

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        if op in (IN, EQUALS, DOUBLE_EQUALS):
            return self.key in labels and labels[self.key] in self.values
        if op in (NOT_IN, NOT_EQUALS):
            return self.key not in labels or labels[self.key] not in self.values
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        if op in (GREATER_THAN, LESS_THAN):
            if self.key not in labels or len(self.values) != 1:
                return False
            have, want = _parse_int64(labels[self.key]), _parse_int64(self.values[0])
            if have is None or want is None:
                return False
            return have > want if op == GREATER_THAN else have < want
        return False

    def __str__(self) -> str:
        op = self.operator
        if op == EXISTS:
            return self.key
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        shown = {EQUALS: "=", DOUBLE_EQUALS: "==", NOT_EQUALS: "!=", IN: " in ", NOT_IN: " notin ",
                 GREATER_THAN: ">", LESS_THAN: "<"}[op]
        values = ",".join(sorted(self.values))
        if op in (IN, NOT_IN):
            values = f"({values})"
        return f"{self.key}{shown}{values}"


def _go_slice(values: tuple[str, ...]) -> str:
    return "[]string{" + ", ".join(_go_quote(v) for v in values) + "}"


class LabelSelector:
    """A conjunction of requirements. `LabelSelector.nothing()` matches no object at all."""

    __slots__ = ("requirements", "_matches_nothing")

    def __init__(self, requirements: Iterable[Requirement] = (), *, matches_nothing: bool = False) -> None:
        # Sorted by key (stably) as upstream sorts, so printing is deterministic.
        self.requirements: tuple[Requirement, ...] = tuple(sorted(requirements, key=lambda r: r.key))
        self._matches_nothing = matches_nothing

    @classmethod
    def everything(cls) -> "LabelSelector":
        return cls()

    @classmethod
    def nothing(cls) -> "LabelSelector":
        return cls(matches_nothing=True)

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self._matches_nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def empty(self) -> bool:
        """True when the selector does not restrict anything (upstream's Empty())."""
        return not self._matches_nothing and not self.requirements

    def matches_nothing(self) -> bool:
        return self._matches_nothing

    def requires_exact_match(self, key: str) -> str | None:
        """The one value the selector demands for `key`, if it demands exactly one (for indexes)."""
        for r in self.requirements:
            if r.key == key:
                if r.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(r.values) == 1:
                    return r.values[0]
                return None
        return None

    def add(self, *requirements: Requirement) -> "LabelSelector":
        return LabelSelector(self.requirements + requirements, matches_nothing=self._matches_nothing)

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)

    def __repr__(self) -> str:
        return "LabelSelector(<nothing>)" if self._matches_nothing else f"LabelSelector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, LabelSelector) and self.requirements == other.requirements
                and self._matches_nothing == other._matches_nothing)

    def __hash__(self) -> int:
        return hash((self.requirements, self._matches_nothing))


# The lexer and parser follow upstream's token rules so that every accepted string and
# every error message is the same as a 1.32 API server's.
_END, _ERROR, _IDENT = "end", "error", "identifier"
_SPECIAL = set("=!(),><")
_WHITESPACE = set(" \t\r\n")
_LITERAL_TOKENS = {")": ")", ",": ",", "!": "!", "==": "==", "=": "=", ">": ">", "in": "in",
                   "<": "<", "!=": "!=", "notin": "notin", "(": "("}


def _lex(text: str) -> list[tuple[str, str]]:
    """Split into (token, literal) pairs; the token is the literal for keywords and symbols."""
    # Upstream reads bytes and treats a NUL byte as the end of input.
    text = text.split("\x00", 1)[0]
    tokens: list[tuple[str, str]] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= n:
            tokens.append((_END, ""))
            return tokens
        if text[pos] in _SPECIAL:
            # Longest run of special characters that still forms a known symbol.
            buffer, last = "", None
            while pos < n and text[pos] in _SPECIAL:
                buffer += text[pos]
                if buffer in _LITERAL_TOKENS:
                    last = buffer
                elif last is not None:
                    break
                pos += 1
            if last is None:
                tokens.append((_ERROR, f"error expected: keyword found '{buffer}'"))
            else:
                tokens.append((last, last))
            continue
        start = pos
        while pos < n and text[pos] not in _SPECIAL and text[pos] not in _WHITESPACE:
            pos += 1
        word = text[start:pos]
        tokens.append((_LITERAL_TOKENS.get(word, _IDENT), word))


class _LabelParser:
    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.position = 0

    def lookahead(self, values_context: bool = True) -> tuple[str, str]:
        return self._as_context(self.items[self.position], values_context)

    def consume(self, values_context: bool = True) -> tuple[str, str]:
        item = self.items[self.position]
        self.position += 1
        return self._as_context(item, values_context)

    @staticmethod
    def _as_context(item: tuple[str, str], values_context: bool) -> tuple[str, str]:
        # `in` and `notin` are plain identifiers where a value (or key) is expected.
        tok, lit = item
        if values_context and tok in ("in", "notin"):
            return _IDENT, lit
        return tok, lit

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            tok, lit = self.lookahead()
            if tok in (_IDENT, "!"):
                try:
                    requirements.append(self.parse_requirement())
                except SelectorError as err:
                    raise SelectorError(f"unable to parse requirement: {err}") from None
                tok, lit = self.consume()
                if tok == _END:
                    return requirements
                if tok == ",":
                    tok2, lit2 = self.lookahead()
                    if tok2 not in (_IDENT, "!"):
                        raise SelectorError(f"found '{lit2}', expected: identifier after ','")
                else:
                    raise SelectorError(f"found '{lit}', expected: ',' or 'end of string'")
            elif tok == _END:
                return requirements
            else:
                raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def parse_requirement(self) -> Requirement:
        key, operator = self.parse_key_and_infer_operator()
        if operator in (EXISTS, DOES_NOT_EXIST):
            return Requirement.new(key, operator, ())
        operator = self.parse_operator()
        if operator in (IN, NOT_IN):
            values = self.parse_values()
        else:
            values = self.parse_exact_value()
        return Requirement.new(key, operator, sorted(values))

    def parse_key_and_infer_operator(self) -> tuple[str, str | None]:
        operator = None
        tok, lit = self.consume()
        if tok == "!":
            operator = DOES_NOT_EXIST
            tok, lit = self.consume()
        if tok != _IDENT:
            raise SelectorError(f"found '{lit}', expected: identifier")
        if key_errors := qualified_name_errors(lit):
            # Upstream parses without a field path, which prints as "<nil>".
            raise SelectorError(_invalid("<nil>", lit, key_errors))
        if self.lookahead()[0] in (_END, ","):
            if operator != DOES_NOT_EXIST:
                operator = EXISTS
        return lit, operator

    def parse_operator(self) -> str:
        tok, lit = self.consume(values_context=False)
        operators = {"in": IN, "=": EQUALS, "==": DOUBLE_EQUALS, ">": GREATER_THAN,
                     "<": LESS_THAN, "notin": NOT_IN, "!=": NOT_EQUALS}
        if tok not in operators:
            raise SelectorError(f"found '{lit}', expected: {', '.join(_BINARY_OPERATORS)}")
        return operators[tok]

    def parse_values(self) -> set[str]:
        tok, lit = self.consume()
        if tok != "(":
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead()
        if tok in (_IDENT, ","):
            values = self.parse_identifiers_list()
            if self.consume()[0] != ")":
                raise SelectorError(f"found '{lit}', expected: ')'")
            return values
        if tok == ")":  # "()" means the one empty value
            self.consume()
            return {""}
        raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")

    def parse_identifiers_list(self) -> set[str]:
        values: set[str] = set()
        while True:
            tok, lit = self.consume()
            if tok == _IDENT:
                values.add(lit)
                tok2, lit2 = self.lookahead()
                if tok2 == ",":
                    continue
                if tok2 == ")":
                    return values
                raise SelectorError(f"found '{lit2}', expected: ',' or ')'")
            if tok == ",":  # empty values around commas: "(,a)", "(a,)", "(a,,b)"
                if not values:
                    values.add("")
                tok2, _ = self.lookahead()
                if tok2 == ")":
                    values.add("")
                    return values
                if tok2 == ",":
                    self.consume()
                    values.add("")
                continue
            raise SelectorError(f"found '{lit}', expected: ',', or identifier")

    def parse_exact_value(self) -> set[str]:
        tok, _ = self.lookahead()
        if tok in (_END, ","):
            return {""}
        tok, lit = self.consume()
        if tok == _IDENT:
            return {lit}
        raise SelectorError(f"found '{lit}', expected: identifier")


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse a `labelSelector` query value; SelectorError carries upstream's message."""
    if not text:
        return LabelSelector()
    return LabelSelector(_LabelParser(text).parse())


def selector_from_set(labels: Mapping[str, str] | None) -> LabelSelector:
    """`k=v` for every pair, unvalidated (an RC's spec.selector map, a Service's selector)."""
    return LabelSelector(Requirement(k, EQUALS, (v,)) for k, v in (labels or {}).items())


_OBJECT_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def selector_from_label_selector_object(sel: Mapping | None) -> LabelSelector:
    """A metav1.LabelSelector dict as a selector: None matches nothing, {} matches everything."""
    if sel is None:
        return LabelSelector.nothing()
    match_labels = sel.get("matchLabels") or {}
    match_expressions = sel.get("matchExpressions") or []
    requirements = [Requirement.new(k, EQUALS, (v,)) for k, v in match_labels.items()]
    for expr in match_expressions:
        operator = expr.get("operator", "")
        if operator not in _OBJECT_OPERATORS:
            raise SelectorError(f"{_go_quote(operator)} is not a valid label selector operator")
        requirements.append(Requirement.new(expr.get("key", ""), _OBJECT_OPERATORS[operator],
                                            expr.get("values") or ()))
    return LabelSelector(requirements)


def label_selector_to_string(sel: Mapping | None) -> str:
    """The selector's string form, as the scale subresource's `status.selector` carries it."""
    return str(selector_from_label_selector_object(sel))


def format_label_selector(sel: Mapping | None) -> str:
    """As printed in tables and `describe`: `<none>` when empty, `<error>` when invalid."""
    try:
        text = label_selector_to_string(sel)
    except SelectorError:
        return "<error>"
    return text or "<none>"


# --- field selectors ---------------------------------------------------------------------

_FIELD_OPERATORS = ("!=", "==", "=")  # "==" before "=" so no "=" is left on the value


def escape_field_value(value: str) -> str:
    """Escape `\\`, `,` and `=` for use as a field selector value."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _unescape_field_value(value: str) -> str:
    if not any(c in value for c in "\\,="):
        return value
    out: list[str] = []
    in_slash = False
    for c in value:
        if in_slash:
            if c not in "\\,=":
                raise SelectorError(f"invalid field selector: invalid escape sequence: \\{c}")
            out.append(c)
            in_slash = False
        elif c == "\\":
            in_slash = True
        elif c in ",=":
            # Go prints the rune as its number.
            raise SelectorError(f"invalid field selector: unescaped character in value: {ord(c)}")
        else:
            out.append(c)
    if in_slash:
        raise SelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_field_terms(text: str) -> list[str]:
    terms, start, in_slash = [], 0, False
    for i, c in enumerate(text):
        if in_slash:
            in_slash = False
        elif c == "\\":
            in_slash = True
        elif c == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


class FieldSelector:
    """A conjunction of `field=value` / `field!=value` terms. Missing fields read as ""."""

    __slots__ = ("requirements",)

    def __init__(self, requirements: Iterable[tuple[str, str, str]] = ()) -> None:
        # (field, operator, value); operator is "=" or "!=" ("==" is stored as "=").
        self.requirements: list[tuple[str, str, str]] = list(requirements)

    def matches(self, fields: Mapping[str, str]) -> bool:
        for field, op, value in self.requirements:
            if (fields.get(field, "") == value) != (op == "="):
                return False
        return True

    def empty(self) -> bool:
        return not self.requirements

    def requires_exact_match(self, field: str) -> str | None:
        """The value demanded for `field` by an `=` term, if any (for the pods-by-node index)."""
        for name, op, value in self.requirements:
            if name == field and op == "=":
                return value
        return None

    def __str__(self) -> str:
        return ",".join(f"{f}{op}{escape_field_value(v)}" for f, op, v in self.requirements)

    def __repr__(self) -> str:
        return f"FieldSelector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldSelector) and self.requirements == other.requirements


def parse_field_selector(text: str | None) -> FieldSelector:
    """Parse a `fieldSelector` query value (no whitespace trimming, as upstream)."""
    if not text:
        return FieldSelector()
    requirements = []
    for term in sorted(_split_field_terms(text)):
        if term == "":
            continue
        for i in range(len(term)):
            op = next((o for o in _FIELD_OPERATORS if term.startswith(o, i)), None)
            if op is not None:
                field, raw_value = term[:i], term[i + len(op):]
                break
        else:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{term}'")
        requirements.append((field, "!=" if op == "!=" else "=", _unescape_field_value(raw_value)))
    return FieldSelector(requirements)


# Per-kind field selector support. Each entry: accepted field -> the field it is matched as
# (upstream's field-label conversion functions), and the message style for a rejected one.
_OBJECT_META = {"metadata.name": "metadata.name", "metadata.namespace": "metadata.namespace"}


def _same(*names: str) -> dict[str, str]:
    return {n: n for n in names}


_POD_FIELDS = _same("metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
                    "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                    "status.podIP", "status.podIPs", "status.nominatedNodeName")
_POD_FIELDS["spec.host"] = "spec.nodeName"  # accepted from old v1 clients
_CORE_EVENT_FIELDS = _same("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                           "involvedObject.uid", "involvedObject.apiVersion",
                           "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                           "reportingComponent", "source", "type", "metadata.namespace", "metadata.name")
_EVENTS_V1_FIELDS = {
    "reason": "reason", "regarding.kind": "involvedObject.kind",
    "regarding.namespace": "involvedObject.namespace", "regarding.name": "involvedObject.name",
    "regarding.uid": "involvedObject.uid", "regarding.apiVersion": "involvedObject.apiVersion",
    "regarding.resourceVersion": "involvedObject.resourceVersion",
    "regarding.fieldPath": "involvedObject.fieldPath", "reportingController": "reportingComponent",
    "source": "source", "type": "type", "metadata.namespace": "metadata.namespace",
    "metadata.name": "metadata.name",
}
_JOB_FIELDS = _same("metadata.name", "metadata.namespace", "status.successful")

# (group, kind) -> (accepted fields, error style); kinds not listed accept only object metadata.
_FIELD_LABELS: dict[tuple[str, str], tuple[dict[str, str], str]] = {
    ("", "Pod"): (_POD_FIELDS, "plain"),
    ("", "Node"): (_same("metadata.name", "spec.unschedulable"), "plain"),
    ("", "ReplicationController"): (_same("metadata.name", "metadata.namespace", "status.replicas"), "plain"),
    ("", "Event"): (_CORE_EVENT_FIELDS, "plain"),
    ("", "Namespace"): (_same("status.phase", "metadata.name"), "plain"),
    ("", "Secret"): (_same("type", "metadata.namespace", "metadata.name"), "plain"),
    ("", "Service"): (_same("metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"), "plain"),
    ("events.k8s.io", "Event"): (_EVENTS_V1_FIELDS, "plain"),
    ("batch", "Job"): (_JOB_FIELDS, "kind"),
    ("batch", "CronJob"): (_JOB_FIELDS, "kind"),
    ("certificates.k8s.io", "CertificateSigningRequest"): (_same("metadata.name", "spec.signerName"), "plain"),
    ("certificates.k8s.io", "ClusterTrustBundle"): (_same("metadata.name", "spec.signerName"), "plain"),
    ("resource.k8s.io", "ResourceSlice"): (_same("metadata.name", "spec.nodeName", "spec.driver"), "plain"),
}


def supported_fields(group: str, kind: str) -> list[str]:
    """The field names a field selector may use for this kind."""
    accepted, _ = _FIELD_LABELS.get((group, kind), (_OBJECT_META, "default"))
    return sorted(accepted)


def normalize_field_selector(group: str, kind: str, sel: FieldSelector,
                             extra_fields: Iterable[str] = ()) -> FieldSelector:
    """Check every field against the kind and rename aliases (`spec.host`, `regarding.*`).

    `extra_fields` adds fields a CustomResourceDefinition declares as selectable.
    Raises SelectorError with the message upstream's conversion function gives.
    """
    accepted, style = _FIELD_LABELS.get((group, kind), (_OBJECT_META, "default"))
    extra = set(extra_fields)
    renamed = []
    for field, op, value in sel.requirements:
        if field in extra:
            renamed.append((field, op, value))
            continue
        if field not in accepted:
            if style == "plain" or extra:
                raise SelectorError(f"field label not supported: {field}")
            if style == "kind":
                raise SelectorError(f"field label {_go_quote(field)} not supported for {_go_quote(kind)}")
            raise SelectorError(f'{_go_quote(field)} is not a known field selector: '
                                'only "metadata.name", "metadata.namespace"')
        renamed.append((accepted[field], op, value))
    return FieldSelector(renamed)


def check_field_selector(group: str, kind: str, sel: FieldSelector) -> None:
    """Raise SelectorError for the first field this kind does not support."""
    normalize_field_selector(group, kind, sel)


def _bool(value: object) -> str:
    return "true" if value else "false"


def field_values(group: str, kind: str, obj: Mapping) -> dict[str, str]:
    """The field set upstream's registry exposes for an object (matched after normalizing)."""
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    fields = {"metadata.name": meta.get("name", ""), "metadata.namespace": meta.get("namespace", "")}
    key = (group, kind)
    if key == ("", "Pod"):
        pod_ips = status.get("podIPs") or []
        first_ip = (pod_ips[0] or {}).get("ip", "") if pod_ips else status.get("podIP", "")
        fields.update({
            "spec.nodeName": spec.get("nodeName", ""),
            "spec.restartPolicy": spec.get("restartPolicy", ""),
            "spec.schedulerName": spec.get("schedulerName", ""),
            "spec.serviceAccountName": spec.get("serviceAccountName", ""),
            "spec.hostNetwork": _bool(spec.get("hostNetwork")),
            "status.phase": status.get("phase", ""),
            "status.podIP": first_ip or "",
            "status.nominatedNodeName": status.get("nominatedNodeName", ""),
        })
    elif key == ("", "Event") or key == ("events.k8s.io", "Event"):
        if group == "":
            involved = obj.get("involvedObject") or {}
            reporting = obj.get("reportingComponent", "")
            source = (obj.get("source") or {}).get("component", "")
        else:
            involved = obj.get("regarding") or {}
            reporting = obj.get("reportingController", "")
            source = (obj.get("deprecatedSource") or {}).get("component", "")
        for part in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"):
            fields[f"involvedObject.{part}"] = involved.get(part, "")
        fields.update({"reason": obj.get("reason", ""), "reportingComponent": reporting,
                       "source": source or reporting, "type": obj.get("type", "")})
    elif key == ("", "Node"):
        fields["spec.unschedulable"] = _bool(spec.get("unschedulable"))
    elif key == ("", "Namespace"):
        fields["status.phase"] = status.get("phase", "")
    elif key == ("", "Secret"):
        fields["type"] = obj.get("type", "")
    elif key == ("", "Service"):
        fields["spec.clusterIP"] = spec.get("clusterIP", "")
        fields["spec.type"] = spec.get("type", "")
    elif key in (("", "ReplicationController"), ("apps", "ReplicaSet")):
        fields["status.replicas"] = str(int(status.get("replicas") or 0))
    elif key == ("batch", "Job"):
        fields["status.successful"] = str(int(status.get("succeeded") or 0))
    elif key in (("certificates.k8s.io", "CertificateSigningRequest"),
                 ("certificates.k8s.io", "ClusterTrustBundle")):
        fields["spec.signerName"] = spec.get("signerName", "")
    elif key == ("resource.k8s.io", "ResourceSlice"):
        fields["spec.nodeName"] = spec.get("nodeName", "")
        fields["spec.driver"] = spec.get("driver", "")
    return {k: v if isinstance(v, str) else str(v) for k, v in fields.items()}
