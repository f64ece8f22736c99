// Package metrics defines the run directory: where a run's files live, what
// each file holds, and the writers and readers for them. Trainers, the theory
// suite and benchmarks write run directories with it; reports read them with
// it. It imports the standard library only.
//
// # Layout
//
//	runs/<experiment>/<suite>/<algorithm>/seed-<n>/
//	  meta.json          run identity and provenance (Meta)
//	  config.yaml        the resolved configuration, as bytes given by the caller
//	  metrics.jsonl      one line per training step (Record)
//	  eval.jsonl         one line per evaluation (Eval)
//	  trajectories/      step-<N>.jsonl.gz: sampled trajectories, one JSON value a line
//	  checkpoints/       step-<N>/: whatever the trainer saves (weights, optimiser, RNG, cursor)
//	  summary.json       final figures (Summary)
//
// [ID.Dir] builds the path and [ParseDir] reads an ID back from one.
//
// # metrics.jsonl
//
// The shape of verl's file logger, so that logs of verl-based code can be read
// beside ours:
//
//	{"step": 12, "data": {"critic/score/mean": 0.75, "actor/entropy": 1.93}}
//
// step is the training step (0 or 1 based, as the trainer counts; it only has
// to increase). data maps metric names to numbers. Names follow verl's
// vocabulary; the constants of this package list the ones the project uses.
// Non-finite values are written as the strings "NaN", "Infinity" and
// "-Infinity" (strict JSON); the reader also accepts Python's bare NaN,
// Infinity and -Infinity tokens and null (read as NaN), booleans (0 or 1),
// and drops values that are not numbers (strings, lists, objects).
//
// # eval.jsonl
//
//	{"step": 10, "split": "test", "k": 4,
//	 "tasks": [{"task": "multi_turn_base_100", "success": [true, false, true, true],
//	            "reward": [1.5, 0, 1.5, 1.5]}],
//	 "aggregates": {"avg@4": 0.75, "pass@4": 1, "pass^4": 0, "reward/mean": 1.125,
//	                "infra_failed_rate": 0}}
//
// tasks holds one entry per evaluated task with its k samples; aggregates
// holds the figures computed from them ([Aggregate] computes avg@k, pass@k,
// pass^k, reward/mean and infra_failed_rate) and any suite-specific ones
// (AppWorld's "tgc", "sgc"). pass^k is the fraction of tasks all of whose
// k samples succeed (τ-bench's reliability figure; [PassHatK] estimates it
// from n ≥ k samples). A sample lost to an infrastructure failure (the
// environment, its container or server failed, not the agent) is listed
// by number in the task's "infra_failed" and left out of its success and
// reward lists, so the other figures are over the samples that ran.
//
// # summary.json
//
// The final figures of a run ([Summary]): status, steps, optimiser steps,
// wall-clock, tokens, and a free map of named figures (typically the last
// evaluation's aggregates under "eval/<name>").
//
// # Writing safely
//
// [JSONLWriter] writes each record as one line with a single write call, so
// a crash loses at most the line being written, and a reader never sees half
// of an earlier one. Reopening a file with [OpenJSONL] truncates a torn last
// line (a line without its newline) and continues after the last complete
// one; [MetricsWriter.LastStep] tells a resuming trainer where the log stands,
// and [MetricsWriter.TruncateAfter] drops steps logged after the checkpoint
// it resumes from. Trajectory files are gzip streams, which cannot be
// appended to safely, so each is written under a temporary name and renamed
// when closed.
//
// # Reading leniently
//
// [ReadMetrics] and [ReadEvals] return every good line and a [Problem]
// (path:line and what is wrong) for every bad one; they fail only when the
// file cannot be opened. Paths ending in .gz are decompressed.
package metrics
