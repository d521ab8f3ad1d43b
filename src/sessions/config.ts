import { parseJson } from '../json/parse.js';
import type { Json } from '../json/value.js';

/**
 * Per-session settings (relay-cli.md §3.2, config.rs `session_config_from_headers`), resolved from
 * the headers of the hook batch or gateway request that created the session and never updated.
 * Offline there is no process configuration to fall back on, so an absent header means unset.
 */
export interface SessionConfig {
  /** `x-nemo-relay-session-metadata` as JSON (any JSON value; invalid JSON counts as absent). */
  metadata?: Json;
  /** `x-nemo-relay-plugin-config` as JSON. */
  pluginConfig?: Json;
  /** `x-nemo-relay-config-profile`. */
  profile?: string;
  /** `x-nemo-relay-gateway-mode`, as the raw string. */
  gatewayMode?: string;
}

/** Reads one header the way `header_string` does (first value, visible ASCII, non-empty). */
export type HeaderReader = (name: string) => string | undefined;

export function sessionConfigFromHeaders(read: HeaderReader): SessionConfig {
  const config: SessionConfig = {};
  const metadata = headerJson(read, 'x-nemo-relay-session-metadata');
  if (metadata !== undefined) config.metadata = metadata;
  const pluginConfig = headerJson(read, 'x-nemo-relay-plugin-config');
  if (pluginConfig !== undefined) config.pluginConfig = pluginConfig;
  const profile = read('x-nemo-relay-config-profile');
  if (profile !== undefined) config.profile = profile;
  const gatewayMode = read('x-nemo-relay-gateway-mode');
  if (gatewayMode !== undefined) config.gatewayMode = gatewayMode;
  return config;
}

function headerJson(read: HeaderReader, name: string): Json | undefined {
  const raw = read(name);
  if (raw === undefined) return undefined;
  try {
    return parseJson(raw);
  } catch {
    // Installers validate these headers before sending them; a bad one is simply ignored, as live.
    return undefined;
  }
}
