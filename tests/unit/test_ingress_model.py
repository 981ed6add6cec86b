# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The ingress model and nginx.conf rendering: hosts, path types, backends, TLS."""
from __future__ import annotations

from pathlib import Path

from kybernetes.ingress import model
from kybernetes.ingress.render import Layout, quote, render
from tests.unit.ingress_fixtures import (backend, certificate, endpoint_slice, ingress, path, rule,
                                         service, tls_secret)

LAYOUT = Layout(Path("/run/kyb-ingress"), 8080, 8443)


def two_services():
    return ([service("a"), service("b")],
            [endpoint_slice("a", ["10.244.0.5", "10.244.0.6"]), endpoint_slice("b", ["10.244.0.7"])])


def server(built: model.Model, host: str) -> model.Server:
    return next(s for s in built.servers if s.host == host)


def locations(srv: model.Server) -> dict[tuple[bool, str], str | None]:
    return {key: loc.upstream for key, loc in srv.locations.items()}


def test_hosts_get_servers_and_upstreams_of_ready_pod_addresses():
    services, slices = two_services()
    built = model.build([ingress(rules=[rule("a.example.test", path("/", "a")),
                                        rule("b.example.test", path("/", "b"))])],
                        services, slices, [])
    assert [s.host for s in built.servers] == ["a.example.test", "b.example.test"]
    assert locations(server(built, "a.example.test")) == {(False, "/"): "default-a-80"}
    assert built.upstreams["default-a-80"].servers == ("10.244.0.5:8080", "10.244.0.6:8080")
    assert built.upstreams["default-b-80"].servers == ("10.244.0.7:8080",)
    assert built.problems == []


def test_prefix_is_element_wise_and_exact_is_exact():
    services, slices = two_services()
    built = model.build([ingress(rules=[rule("h", path("/foo", "a"), path("/bar/", "b"),
                                             path("/exact", "b", "Exact"))])],
                        services, slices, [])
    assert set(server(built, "h").locations) == {
        (True, "/foo"), (False, "/foo/"), (True, "/bar"), (False, "/bar/"), (True, "/exact")}


def test_location_paths():
    assert model.location_paths("/", "Prefix") == [(False, "/")]
    assert model.location_paths("/foo", "Prefix") == [(True, "/foo"), (False, "/foo/")]
    assert model.location_paths("/foo/", "ImplementationSpecific") == [(True, "/foo"), (False, "/foo/")]
    assert model.location_paths("/foo/", "Exact") == [(True, "/foo/")]


def test_exact_wins_over_prefix_for_the_same_path_and_oldest_ingress_wins():
    services, slices = two_services()
    older = ingress("old", [rule("h", path("/api", "a", "Exact"))], created="2026-01-01T00:00:00Z")
    newer = ingress("new", [rule("h", path("/api", "b")), rule("h", path("/x", "b"))],
                    created="2026-02-01T00:00:00Z")
    built = model.build([newer, older], services, slices, [])
    found = server(built, "h").locations
    assert found[(True, "/api")].upstream == "default-a-80"
    assert found[(True, "/api")].source == "default/old"
    assert found[(False, "/api/")].upstream == "default-b-80"
    assert found[(False, "/x/")].source == "default/new"  # two rules of one host merge


def test_longest_match_first_in_the_rendered_order():
    services, slices = two_services()
    built = model.build([ingress(rules=[rule("h", path("/", "a"), path("/api", "b"),
                                             path("/api/v1", "a"))])], services, slices, [])
    order = [(l.exact, l.path) for l in server(built, "h").ordered()]
    assert order == [(True, "/api/v1"), (True, "/api"), (False, "/api/v1/"), (False, "/api/"),
                     (False, "/")]


def test_service_port_by_name_resolves_to_the_slice_port():
    svc = service("web", [("http", 80, 8080), ("admin", 81, 9090)])
    slc = endpoint_slice("web", ["10.0.0.1"], [("http", 8080), ("admin", 9090)])
    built = model.build([ingress(rules=[rule("h", path("/", "web", port="admin"),
                                             path("/h", "web", port=80))])], [svc], [slc], [])
    assert built.upstreams["default-web-admin"].servers == ("10.0.0.1:9090",)
    assert built.upstreams["default-web-80"].servers == ("10.0.0.1:8080",)


def test_not_ready_endpoints_are_left_out_and_unset_ready_counts_as_ready():
    svc = service("a")
    slices = [endpoint_slice("a", ["10.0.0.1"], ready=False, suffix="1"),
              endpoint_slice("a", ["10.0.0.2"], ready=None, suffix="2"),
              endpoint_slice("a", ["fd00::5"], address_type="IPv6", suffix="3")]
    built = model.build([ingress(rules=[rule("h", path("/", "a"))])], [svc], slices, [])
    assert built.upstreams["default-a-80"].servers == ("10.0.0.2:8080", "[fd00::5]:8080")


def test_backends_without_ready_endpoints_answer_503():
    svc = service("a")
    cases = [([svc], [endpoint_slice("a", ["10.0.0.1"], ready=False)], "no ready endpoints"),
             ([], [], "not found"),
             ([service("a", [("", 81, 81)])], [], "has no port 80"),
             ([service("a", kind="ExternalName")], [], "ExternalName")]
    for services, slices, why in cases:
        built = model.build([ingress(rules=[rule("h", path("/", "a"))])], services, slices, [])
        assert server(built, "h").locations[(False, "/")].upstream is None
        assert built.upstreams == {}
        assert why in built.problems[0].message
        assert "return 503;" in render(built, LAYOUT)


def test_other_namespaces_services_are_not_used():
    built = model.build([ingress(rules=[rule("h", path("/", "a"))], namespace="one")],
                        [service("a", namespace="two")],
                        [endpoint_slice("a", ["10.0.0.1"], namespace="two")], [])
    assert server(built, "h").locations[(False, "/")].upstream is None


def test_default_backend_takes_the_catch_all_and_unmatched_paths_of_its_hosts():
    services, slices = two_services()
    built = model.build([ingress(rules=[rule("h", path("/api", "a"))], default_backend=backend("b"))],
                        services, slices, [])
    assert built.default_server.locations[(False, "/")].upstream == "default-b-80"
    assert server(built, "h").locations[(False, "/")].upstream == "default-b-80"
    only_default = model.build([ingress(default_backend=backend("a"))], services, slices, [])
    assert only_default.servers == []
    assert only_default.default_server.locations[(False, "/")].upstream == "default-a-80"


def test_rules_without_host_go_to_the_catch_all():
    services, slices = two_services()
    built = model.build([ingress(rules=[rule("", path("/app", "a"))])], services, slices, [])
    assert built.servers == []
    assert built.default_server.locations[(True, "/app")].upstream == "default-a-80"


def test_catch_all_answers_healthz_and_404_by_default():
    text = render(model.build([], [], [], []), LAYOUT)
    catch_all = text[text.index("server_name _;"):]
    assert "location = /healthz {" in catch_all and 'return 200 "ok\\n";' in catch_all
    assert "location / {\n            return 404;" in catch_all
    assert "listen 8080 default_server;" in text
    assert "listen 8443 default_server ssl http2;" in text


def test_unsafe_paths_are_refused_with_a_problem():
    services, slices = two_services()
    built = model.build([ingress(rules=[rule("h", path('/a"b', "a"), path("/ok", "a"))])],
                        services, slices, [])
    assert set(server(built, "h").locations) == {(True, "/ok"), (False, "/ok/")}
    assert built.problems[0].reason == "InvalidPath"


def test_tls_host_with_a_valid_secret_gets_its_certificate_and_a_308_redirect():
    services, slices = two_services()
    cert, key = certificate(["secure.example.test"])
    built = model.build([ingress(rules=[rule("secure.example.test", path("/", "a")),
                                        rule("plain.example.test", path("/", "b"))],
                                 tls=[{"hosts": ["secure.example.test"], "secretName": "s"}])],
                        services, slices, [tls_secret("s", cert, key)])
    secure, plain = server(built, "secure.example.test"), server(built, "plain.example.test")
    assert secure.ssl_redirect and secure.certificate and not plain.ssl_redirect
    assert plain.certificate is None
    assert built.certificates[secure.certificate].startswith(cert)
    assert key.strip().splitlines()[1] in built.certificates[secure.certificate]
    text = render(built, LAYOUT)
    block = text[text.index("server_name secure.example.test;"):]
    assert "return 308 https://$host:8443$request_uri;" in block.split("server {")[0]
    assert str(LAYOUT.certificates / secure.certificate) in block
    assert built.problems == []


def test_redirect_has_no_port_on_443():
    services, slices = two_services()
    built = model.build([ingress(rules=[rule("s", path("/", "a"))], tls=[{"hosts": ["s"]}])],
                        services, slices, [])
    assert "return 308 https://$host$request_uri;" in render(built, Layout(Path("/x")))


def test_missing_or_invalid_secrets_fall_back_to_the_default_certificate_with_a_problem():
    services, slices = two_services()
    cert, key = certificate(["other.example.test"])
    _, wrong_key = certificate(["secure.example.test"])
    cases = [([], "was not found"),
             ([tls_secret("s", cert, key)], "not valid for host secure.example.test"),
             ([tls_secret("s", cert, wrong_key)], "does not match"),
             ([tls_secret("s", b"junk", key)], "not a PEM certificate"),
             ([{"metadata": {"name": "s", "namespace": "default"}, "data": {}}], "no tls.crt")]
    for secrets, why in cases:
        built = model.build([ingress(rules=[rule("secure.example.test", path("/", "a"))],
                                     tls=[{"hosts": ["secure.example.test"], "secretName": "s"}])],
                            services, slices, secrets)
        srv = server(built, "secure.example.test")
        assert srv.certificate is None and srv.ssl_redirect
        assert built.certificates == {}
        assert [p.reason for p in built.problems] == ["InvalidTLSSecret"]
        assert why in built.problems[0].message, built.problems[0].message
        assert str(LAYOUT.default_certificate) in render(built, LAYOUT)


def test_wildcard_certificate_and_wildcard_hosts():
    services, slices = two_services()
    cert, key = certificate(["*.example.test"])
    built = model.build([ingress(rules=[rule("a.example.test", path("/", "a")),
                                        rule("*.example.test", path("/", "b"))],
                                 tls=[{"hosts": ["a.example.test", "*.example.test"],
                                       "secretName": "wild"}])],
                        services, slices, [tls_secret("wild", cert, key)])
    assert server(built, "a.example.test").certificate
    assert server(built, "*.example.test").certificate
    assert "server_name *.example.test;" in render(built, LAYOUT)


def test_tls_entry_without_hosts_covers_the_ingress_hosts():
    services, slices = two_services()
    built = model.build([ingress(rules=[rule("h", path("/", "a"))], tls=[{"secretName": "none"}])],
                        services, slices, [])
    assert server(built, "h").ssl_redirect


def test_rendered_config_has_proxy_headers_and_private_paths():
    services, slices = two_services()
    text = render(model.build([ingress(rules=[rule("h", path("/", "a"))])], services, slices, []),
                  LAYOUT)
    for header in ("Host $host", "X-Real-IP $remote_addr", "X-Forwarded-For",
                   "X-Forwarded-Proto $scheme"):
        assert f"proxy_set_header {header}" in text
    assert 'pid "/run/kyb-ingress/nginx.pid";' in text
    assert 'error_log "/run/kyb-ingress/error.log"' in text
    assert 'proxy_temp_path "/run/kyb-ingress/tmp/proxy";' in text
    assert "upstream default-a-80 {\n        server 10.244.0.5:8080 max_fails=0;" in text
    assert "proxy_pass http://default-a-80;" in text
    assert "/var/log" not in text


def test_render_is_deterministic_whatever_the_input_order():
    services, slices = two_services()
    ings = [ingress("x", [rule("b.example.test", path("/", "b"))], created="2026-01-02T00:00:00Z"),
            ingress("y", [rule("a.example.test", path("/", "a"))], created="2026-01-01T00:00:00Z")]
    first = render(model.build(ings, services, slices, []), LAYOUT)
    again = render(model.build(ings[::-1], services[::-1], slices[::-1], []), LAYOUT)
    assert first == again


def test_quote_escapes():
    assert quote('a"b\\c') == '"a\\"b\\\\c"'
