#!/usr/bin/env bash
# A stand-in for otp-advisor that crashes on every run (SIGSEGV), to show that every golden
# case fails when the program does (tests/golden/run.sh, CRASH_CHECK=1).
kill -SEGV $$
