# The two set-up commands of the README are `make run` and `make test`.
MVN ?= mvn -B -q
PY  ?= /usr/bin/python3
JEMALLOC = LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1

.PHONY: build run demo test unit it train train-smoke golden bench clean

build:
	$(MVN) -DskipTests package

run: build
	bin/ich-triage run

demo: build
	bin/ich-triage run --demo

# Installs what the tests need (only when missing), runs the training smoke, then every unit and integration test.
test:
	scripts/install-deps.sh
	$(MAKE) train-smoke
	$(MVN) verify

unit:
	$(MVN) test

train-smoke:
	@if [ -d training/ichtrain ]; then cd training && $(JEMALLOC) $(PY) -m ichtrain smoke --out ../target/smoke-model; else echo "train-smoke: no training module yet"; fi

train:
	cd training && $(JEMALLOC) $(PY) -m ichtrain train --config configs/shipped.json

golden:
	cd training && $(PY) -m ichtrain golden

clean:
	$(MVN) clean
