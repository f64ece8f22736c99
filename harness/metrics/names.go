package metrics

import "strconv"

// Metric names in verl's vocabulary, plus the project's own (seeupo/,
// theory/, eval/). A step's data may hold others; these are the ones the
// trainers write and the reports know.
const (
	// Rewards and advantages of the step's batch.
	ScoreMean      = "critic/score/mean"
	ScoreMax       = "critic/score/max"
	ScoreMin       = "critic/score/min"
	RewardsMean    = "critic/rewards/mean"
	AdvantagesMean = "critic/advantages/mean"
	AdvantagesMax  = "critic/advantages/max"
	AdvantagesMin  = "critic/advantages/min"
	ReturnsMean    = "critic/returns/mean"
	ValuesMean     = "critic/values/mean"
	// Success rate of the step's training rollouts (fraction in [0, 1]).
	SuccessMean = "critic/success/mean"
	// Fraction of the step's attempted episodes lost to an infrastructure
	// failure (the environment, its container or server failed, not the
	// agent); they are left out of the batch and of the figures above.
	RolloutInfraFailedRate = "rollout/infra_failed_rate"
	// Fraction of the step's turns (over the episodes that ran) whose
	// context or response ids differ from the chat template's rendering
	// of the same conversation; logged only when contexts are rendered
	// with a checkpoint's chat template (harness.TemplateCodec).
	RolloutRetokenizeMismatch = "rollout/retokenize_mismatch"
	// Rollouts generated on remote servers (rl.generator remote): the
	// step's requests, the SDK's retries of them on one server, requests
	// that failed on a server, requests moved to another server after
	// theirs failed, tokens, latency quantiles (from the first send to the
	// answer, failovers included) and the servers still in use at the end
	// of the rollout.
	RolloutRemoteRequests         = "rollout/remote_requests"
	RolloutRemoteRetries          = "rollout/remote_retries"
	RolloutRemoteFailures         = "rollout/remote_failures"
	RolloutRemoteFailovers        = "rollout/remote_failovers"
	RolloutRemotePromptTokens     = "rollout/remote_prompt_tokens"
	RolloutRemoteCompletionTokens = "rollout/remote_completion_tokens"
	RolloutRemoteLatencyP50       = "rollout/remote_latency_p50_s"
	RolloutRemoteLatencyP90       = "rollout/remote_latency_p90_s"
	RolloutRemoteLatencyP99       = "rollout/remote_latency_p99_s"
	RolloutRemoteServers          = "rollout/remote_servers"

	// Lengths.
	ResponseLengthMean = "response_length/mean"
	ResponseLengthMax  = "response_length/max"
	ResponseClipRatio  = "response_length/clip_ratio"
	PromptLengthMean   = "prompt_length/mean"
	NumTurnsMean       = "num_turns/mean"

	// Actor update.
	ActorEntropy       = "actor/entropy"
	ActorGradNorm      = "actor/grad_norm"
	ActorPGClipFrac    = "actor/pg_clipfrac"
	ActorPGClipFracLow = "actor/pg_clipfrac_lower"
	ActorPGLoss        = "actor/pg_loss"
	ActorPPOKL         = "actor/ppo_kl"
	ActorKLLoss        = "actor/kl_loss"
	ActorKLCoef        = "actor/kl_coef"
	ActorLR            = "actor/lr"

	// Critic update (PPO).
	CriticVFLoss     = "critic/vf_loss"
	CriticVFClipFrac = "critic/vf_clipfrac"
	CriticExplVar    = "critic/vf_explained_var"
	CriticGradNorm   = "critic/grad_norm"
	CriticLR         = "critic/lr"

	// Timing and throughput.
	TimingStep        = "timing_s/step"
	TimingGen         = "timing_s/gen"
	TimingUpdateActor = "timing_s/update_actor"
	// Saving the weights and loading them into the remote servers.
	TimingPushWeights = "timing_s/push_weights"
	PerfThroughput    = "perf/throughput" // tokens per second
	PerfTotalTokens   = "perf/total_num_tokens"
	PerfTimePerStep   = "perf/time_per_step"
	// Optimiser steps taken in this training step (SeeUPO: one per turn).
	PerfOptimizerSteps = "perf/optimizer_steps"

	// SeeUPO's running suffix weight W_i over the step's trajectories.
	SeeUPOSuffixWeightMean = "seeupo/suffix_weight/mean"
	SeeUPOSuffixWeightMin  = "seeupo/suffix_weight/min"
	SeeUPOSuffixWeightMax  = "seeupo/suffix_weight/max"
	// Mean |log π_sampler − log π_recomputed| over response tokens.
	LogprobDiffMean = "actor/logprob_diff/mean"

	// Theory suite: the objective J of the current policy, the optimum J*,
	// and the gap J* − J.
	TheoryJ     = "theory/J"
	TheoryJStar = "theory/J_star"
	TheoryGap   = "theory/gap"
)

// Evaluation aggregate names as they appear in Eval.Aggregates.
const (
	AggRewardMean = "reward/mean"
	AggTGC        = "tgc" // AppWorld task goal completion
	AggSGC        = "sgc" // AppWorld scenario goal completion
	// AggInfraFailedRate is the fraction of the evaluation's samples lost
	// to infrastructure failures; the other aggregates leave them out.
	AggInfraFailedRate = "infra_failed_rate"
)

// AvgAt is the name of the avg@k aggregate: the mean success over the k
// samples of each task, averaged over tasks.
func AvgAt(k int) string { return "avg@" + strconv.Itoa(k) }

// PassAt is the name of the pass@k aggregate: the fraction of tasks with at
// least one success among their k samples.
func PassAt(k int) string { return "pass@" + strconv.Itoa(k) }

// PassHat is the name of the pass^k aggregate (τ-bench's reliability
// figure): the fraction of tasks all of whose k samples succeed.
func PassHat(k int) string { return "pass^" + strconv.Itoa(k) }

// SGCAt is the name of the scenario goal completion aggregate over k
// samples: per sample, the fraction of task groups (AppWorld's scenarios)
// all of whose tasks succeed, averaged over the samples. It is reported
// only where some group holds more than one task; avg@k is then the task
// goal completion (TGC).
func SGCAt(k int) string { return "sgc@" + strconv.Itoa(k) }

// LevelMetric is the name of an aggregate over the tasks of one difficulty
// level: "level<n>/<aggregate>" (e.g. level2/avg@1, AppWorld's TGC of its
// difficulty-2 tasks).
func LevelMetric(level int, aggregate string) string {
	return "level" + strconv.Itoa(level) + "/" + aggregate
}

// EvalMetric is the name an evaluation aggregate takes in a summary's
// figures or beside training metrics: "eval/" + aggregate.
func EvalMetric(aggregate string) string { return "eval/" + aggregate }
