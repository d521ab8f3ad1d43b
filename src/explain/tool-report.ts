import type { ToolLink, ToolLinkRule } from '../atif/steps.js';
import type { ConvertedTrajectory } from '../pipeline/convert.js';
import { producedSteps, type ProducedStep } from './produced.js';

/** Why a tool end got (or did not get) its `source_call_id` — §3.11/§3.13 of atif-conversion.md. */
export const TOOL_RULE_TEXT: Record<ToolLinkRule, string> = {
  EXPLICIT_ID: 'the tool end carries category_profile.tool_call_id',
  START_RECORD: 'the id its tool start resolved (explicit, pre-pass, unique name or synthetic) was remembered',
  PREPASS_EXPLICIT_ID: 'pre-pass: an explicit tool_call_id on the start, kept across LLM starts',
  NAME_ARGUMENTS_ORDINAL: 'pre-pass: paired in order with an LLM tool call of the same name and arguments (equal counts)',
  UNIQUE_NAME: 'the only tool call of that name on the current agent step',
  NO_MATCH: 'no explicit id, no recorded start, no pre-pass pairing and no unique same-name call',
};

export type Placement = NonNullable<ToolLink['placement']>;

export const PLACEMENT_TEXT: Record<Placement, string> = {
  ATTACHED: 'attached to the current agent step, which lists that tool call',
  ATTACHED_EARLIER: 'attached to the earlier agent step that lists that tool call: another LLM call started after that step (answered or still open), so it was not the current step (fix earlier-step-tool-events)',
  DEFERRED_THEN_ATTACHED: 'deferred, then attached when a later LLM end listed the id',
  STANDALONE: 'no id: put in a standalone system step with the other uncorrelated results of its batch',
  DEFERRED_STANDALONE: 'deferred, and no later LLM end listed the id: trailing standalone system step, source_call_id removed',
  NO_DATA: 'the tool end had no data, so it produced no observation result',
};

export interface ToolLinkJson {
  trajectory_id: string;
  rule: ToolLinkRule;
  source_call_id: string | null;
  placement: Placement | null;
  /** The written step holding the result, when one does. */
  step: { trajectory_id: string; step_id: number; source: string } | null;
}

export interface ToolReport {
  kind: 'tool';
  /** The tool span's uuid (also under `tool`, so `.span` names the subject of any --span report). */
  span: string;
  tool: string;
  short: string;
  name: string;
  session_id: string;
  links: ToolLinkJson[];
}

/** Where the result of one tool end landed, as the step builder recorded it (if the step was written). */
export function stepOfLink(produced: readonly ProducedStep[], link: ToolLink, trajectoryId: string): ProducedStep | undefined {
  return link.step ? produced.find((p) => p.trajectoryId === trajectoryId && p.step === link.step) : undefined;
}

/** The tool links of one tool uuid (one per tool end), or undefined when no tool end has it. */
export function toolReport(c: ConvertedTrajectory, uuid: string, short: ReadonlyMap<string, string>): ToolReport | undefined {
  const produced = producedSteps(c);
  const links: ToolLinkJson[] = [];
  let name = '';
  for (const conversion of c.result.conversions) {
    for (const link of conversion.toolLinks) {
      if (link.toolUuid !== uuid) continue;
      name = link.name;
      const at = stepOfLink(produced, link, conversion.trajectoryId);
      links.push({
        trajectory_id: conversion.trajectoryId,
        rule: link.rule,
        source_call_id: link.sourceCallId ?? null,
        placement: link.placement ?? null,
        step: at ? { trajectory_id: at.trajectoryId, step_id: at.step.step_id, source: at.step.source } : null,
      });
    }
  }
  if (links.length === 0) return undefined;
  return { kind: 'tool', span: uuid, tool: uuid, short: short.get(uuid) ?? uuid, name, session_id: c.sessionId, links };
}
