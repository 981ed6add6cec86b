# kybernetes: `make run` starts a single-node cluster; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install system-packages run test bench clean

# Debian packages the cluster uses, installed when running as root and missing (elsewhere
# the tests that need them are skipped): etcd for the etcd backend; runc, the CNI
# plugins and iptables for real pods; docker-registry, busybox-static and nginx for the
# tests' local registry and the images they build.
DEBIAN_PACKAGES := etcd-server runc containernetworking-plugins iptables docker-registry \
  busybox-static nginx-light conntrack
NEEDED_COMMANDS := etcd runc iptables docker-registry busybox nginx /usr/lib/cni/bridge
system-packages:
	@missing=""; for c in $(NEEDED_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing=1; done; \
	if [ "$$(id -u)" = 0 ] && [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $(DEBIAN_PACKAGES)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBIAN_PACKAGES) >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null 2>&1 && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBIAN_PACKAGES) >/dev/null; } || \
	  echo "warning: could not install $(DEBIAN_PACKAGES)"; \
	fi

install: system-packages $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: install
	$(BIN)/kybernetes server $(ARGS)

# pytest exits 5 when it collected nothing: that fails here as any non-zero exit does.
test: install
	$(BIN)/python -m pytest tests

bench: install
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) build *.egg-info
