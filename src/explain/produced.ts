import type { AgentConversion } from '../atif/export.js';
import type { StepOrigin } from '../atif/steps.js';
import { subagentsDepthFirst } from '../atif/subagent-walk.js';
import type { Step, Trajectory } from '../atif/types.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';

/** A step of the written output with the events that produced it. */
export interface ProducedStep {
  trajectoryId: string;
  step: Step;
  origin?: StepOrigin;
  conversion: AgentConversion;
}

/** Trajectory id → its written steps, walking subagent trajectories (parents first, depth first). */
export function writtenSteps(t: Trajectory | undefined, into = new Map<string, Step[]>()): Map<string, Step[]> {
  for (const { trajectory } of subagentsDepthFirst(t, undefined, () => undefined)) into.set(trajectory.trajectory_id, trajectory.steps);
  return into;
}

/**
 * The steps that made it into the written trajectory, each with its origin. The state machine's
 * origin map also holds steps that cleanup removed later; those are left out here, and the step
 * objects are the ones written, so their `step_id` is final.
 */
export function producedSteps(c: ConvertedTrajectory): ProducedStep[] {
  const written = writtenSteps(c.trajectory);
  const out: ProducedStep[] = [];
  for (const conversion of c.result.conversions) {
    for (const step of written.get(conversion.trajectoryId) ?? []) {
      out.push({ trajectoryId: conversion.trajectoryId, step, origin: conversion.origins.get(step), conversion });
    }
  }
  return out;
}

/** The written steps an LLM span produced (its user step from the start, its agent step from the end). */
export function stepsOfSpan(produced: readonly ProducedStep[], uuid: string): ProducedStep[] {
  return produced.filter((p) => (p.origin?.kind === 'llm-start' || p.origin?.kind === 'llm-end') && p.origin.events.includes(uuid));
}

/**
 * For each LLM span, the first step its end produced (its agent step), as `stepsOfSpan` would find it:
 * one pass, for callers that ask about every span.
 */
export function agentStepsBySpan(produced: readonly ProducedStep[]): Map<string, ProducedStep> {
  const out = new Map<string, ProducedStep>();
  for (const p of produced) {
    if (p.origin?.kind !== 'llm-end') continue;
    for (const uuid of p.origin.events) if (!out.has(uuid)) out.set(uuid, p);
  }
  return out;
}

/** `W_EXTRA_DROPPED_INTERLEAVED` (atif-dedupe.md §3.4), recorded by the step builder. */
export const EXTRA_DROPPED = 'W_EXTRA_DROPPED_INTERLEAVED';

/**
 * LLM spans whose agent step lost its `extra`: a second kept span ended before the step was
 * finalised (atif-dedupe.md §2.7), as the state machine recorded it.
 */
export function extraDroppedSpans(c: ConvertedTrajectory): Set<string> {
  return new Set(c.result.conversions.flatMap((conversion) => conversion.extraDropped));
}
