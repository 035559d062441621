// The gateway's own credential headers for an upstream (`inject`), checked at mount and rendered
// again only when a secret they reference has a new version: no store read and no rendering per
// request. Everything that talks to an upstream with the gateway's credential (the forwarder, a
// surface's own reads, an upgraded stream) holds one, so none of them keeps a stale copy.
import { AirlockError, errorMessage } from '../../lib/errors.js';
import { normalizeInject } from './headers.js';

export interface InjectSource {
  /** The resource's name, for errors that name a config key. */
  readonly name?: string;
  readonly inject: { readonly headers: Readonly<Record<string, string>> };
}

export class LiveInject {
  private headers: readonly [string, string][];
  private generation: number;

  /** `secrets`: set when `inject` references secrets (its values are then live, see MountContext). */
  constructor(
    private readonly source: InjectSource,
    private readonly secrets?: { readonly generation: number },
  ) {
    try {
      this.headers = normalizeInject(source.inject.headers);
    } catch (err) {
      const problem = `resources.${source.name ?? '?'}.${errorMessage(err)}`;
      throw new AirlockError('config_invalid', problem, { problems: [problem] });
    }
    this.generation = secrets?.generation ?? 0;
  }

  /**
   * The headers, lower-cased names. A credential that cannot be rendered (its secret was deleted)
   * throws upstream_unavailable: the request is refused rather than forwarded without it.
   */
  current(): readonly [string, string][] {
    const generation = this.secrets?.generation ?? 0;
    if (generation !== this.generation) {
      try {
        this.headers = normalizeInject(this.source.inject.headers);
      } catch {
        throw new AirlockError('upstream_unavailable', "the gateway's credential for this upstream is not available");
      }
      this.generation = generation;
    }
    return this.headers;
  }
}
