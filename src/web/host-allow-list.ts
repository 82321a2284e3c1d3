/** What answering only to known names needs to know about a request. */
export interface HostCheck {
  host: string | undefined;
  /** The port the connection arrived on. */
  localPort: number | undefined;
  tls: boolean;
}

interface AllowedHost {
  name: string;
  /** undefined: any port (a name behind a proxy is reached on the proxy's port, not ours). */
  port?: number;
}

/** The loopback names, answered on the page's own port whatever is configured. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** A host name or an IP literal (IPv6 in brackets), then an optional port: nothing else is a Host. */
const HOST_SYNTAX = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/;

export class HostAllowListError extends Error {
  override name = 'HostAllowListError';
}

function parseHost(text: string): { name: string; port?: number } | undefined {
  const match = HOST_SYNTAX.exec(text.trim().toLowerCase());
  if (!match?.[1]) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65_535)) return undefined;
  return port === undefined ? { name: match[1] } : { name: match[1], port };
}

/**
 * The Host names the approvals page answers to. A DNS-rebinding page reaches a local server under its
 * own name (`Host: evil.example`), so refusing unknown names before anything else keeps such a page
 * from signing in or reading anything, whatever Origin it sends. Loopback names are always allowed,
 * on the page's own port; WARDEN_WEB_ALLOWED_HOSTS adds `name` (any port) or `name:port` entries.
 */
export class HostAllowList {
  private readonly extra: AllowedHost[];

  constructor(setting: string | undefined) {
    this.extra = (setting ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry) => {
        const parsed = parseHost(entry);
        if (!parsed) {
          throw new HostAllowListError(
            `WARDEN_WEB_ALLOWED_HOSTS: "${entry}" is not a host name, IP or [IPv6] with an optional :port`,
          );
        }
        return parsed;
      });
  }

  allows(request: HostCheck): boolean {
    const parsed = request.host === undefined ? undefined : parseHost(request.host);
    if (!parsed) return false;
    const port = parsed.port ?? (request.tls ? 443 : 80);
    if (LOOPBACK_NAMES.includes(parsed.name) && port === request.localPort) return true;
    return this.extra.some((entry) => entry.name === parsed.name && (entry.port ?? port) === port);
  }

  /** The allowed names, for the start-up line. */
  describe(): string {
    const extra = this.extra.map((entry) => (entry.port ? `${entry.name}:${entry.port}` : entry.name));
    return [...LOOPBACK_NAMES, ...extra].join(', ');
  }
}
