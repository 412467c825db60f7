# The two set-up commands of the README are `make run` and `make test`.
MVN ?= mvn -B -q
PY  ?= /usr/bin/python3
# jemalloc speeds up torch on 2 cores; its default decay is kept (decay disabled grew a long run to 19 GB and an OOM kill)
JEMALLOC = LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 OMP_WAIT_POLICY=PASSIVE

.PHONY: build run demo test unit it train train-smoke golden bench clean

build:
	$(MVN) -DskipTests package

run: build
	bin/ich-triage run

demo: build
	bin/ich-triage run --demo

# Installs what the tests need (only when missing), runs the training smoke, then every unit and integration test.
# Last, the DICOM SEG loader tests again, now that target/ich-triage.jar exists (a SEG our Java writer made).
test:
	scripts/install-deps.sh
	$(MAKE) train-smoke
	$(MVN) verify
	cd training && $(JEMALLOC) $(PY) -m unittest tests.test_dicomseg -q

unit:
	$(MVN) test

# A tiny model trained from scratch, exported and checked; ModelGoldenTest then proves ONNX Runtime parity on it.
train-smoke:
	cd training && $(JEMALLOC) $(PY) -m unittest discover -s tests -t . -q
	cd training && $(JEMALLOC) $(PY) -m ichtrain smoke --out ../target/smoke-model
	cd training && $(JEMALLOC) $(PY) -m ichtrain shift-sweep --run-dir ../target/smoke-model/run > ../target/smoke-model/shift-sweep.txt
	cd training && $(JEMALLOC) $(PY) -m ichtrain component-sweep --run-dir ../target/smoke-model/run > ../target/smoke-model/component-sweep.txt

train:
	cd training && $(JEMALLOC) $(PY) -m ichtrain train --run-dir runs/shipped

golden:
	cd training && $(PY) -m ichtrain golden

clean:
	$(MVN) clean
