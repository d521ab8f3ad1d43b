import type { Json, JsonObject } from '../json/value.js';
import type { Metrics, U64 } from '../providers/usage.js';

/** ATIF v1.7 documents as relay-atif builds them. Optional fields are omitted, never null. */
export interface AgentInfo {
  name: string;
  version: string;
  model_name?: string;
  tool_definitions?: Json[];
  extra?: JsonObject;
}

export interface ToolCall {
  tool_call_id: string;
  function_name: string;
  arguments: Json;
  extra?: JsonObject;
}

export interface SubagentRef {
  trajectory_id?: string;
  session_id?: string;
  extra?: JsonObject;
}

export interface ObservationResult {
  source_call_id?: string;
  content?: Json;
  subagent_trajectory_ref?: SubagentRef[];
  extra?: JsonObject;
}

export interface Observation {
  results: ObservationResult[];
}

export type StepMetrics = Metrics;

export interface Step {
  step_id: number;
  source: 'system' | 'user' | 'agent';
  message: Json;
  timestamp?: string;
  model_name?: string;
  reasoning_effort?: Json;
  reasoning_content?: string;
  tool_calls?: ToolCall[];
  observation?: Observation;
  metrics?: StepMetrics;
  llm_call_count?: number;
  /** ATIF v1.5: the step carries earlier context forward (after a compaction), not a new interaction. */
  is_copied_context?: boolean;
  extra?: JsonObject;
}

export interface FinalMetrics {
  total_prompt_tokens?: U64;
  total_completion_tokens?: U64;
  total_cached_tokens?: U64;
  total_cost_usd?: number;
  total_steps: number;
  extra?: JsonObject;
}

export interface Trajectory {
  schema_version: 'ATIF-v1.7';
  session_id: string;
  trajectory_id: string;
  agent: AgentInfo;
  steps: Step[];
  final_metrics: FinalMetrics;
  subagent_trajectories?: Trajectory[];
  extra?: JsonObject;
}

export interface Ancestry {
  function_id: string;
  function_name: string;
  parent_id?: string;
  parent_name?: string;
}

export interface Invocation {
  start_timestamp?: number;
  end_timestamp?: number;
  invocation_id?: string;
  status: 'completed';
  framework: 'nemo_relay';
}
