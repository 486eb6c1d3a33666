/**
 * Store locations as they may be shown: a PostgreSQL URL carries credentials (a password in the
 * user-info, `password`, `sslpassword`, `sslkey`… in the query) that must never reach a message,
 * a summary or a report file.
 */

/** Query parameters whose values are shown; every other parameter's value is redacted. */
const SHOWN_PARAMETERS = new Set([
  'sslmode',
  'application_name',
  'connect_timeout',
  'target_session_attrs',
  'client_encoding',
  'keepalives',
  'keepalives_idle',
  'keepalives_interval',
  'keepalives_count',
  'gssencmode',
  'channel_binding',
  'replication',
]);

const URL_PREFIX = /^postgres(ql)?:\/\//i;

/** The parts of a PostgreSQL URL that are secret: the user-info password and the redacted query values. */
interface UrlParts {
  scheme: string;
  hasUserInfo: boolean;
  user: string;
  password: string | null;
  rest: string; // host, port, database: from after the user-info to the query
  query: { name: string; value: string | null }[];
}

function partsOf(url: string): UrlParts {
  const scheme = URL_PREFIX.exec(url)![0];
  const body = url.slice(scheme.length);
  const q = body.indexOf('?');
  const beforeQuery = q < 0 ? body : body.slice(0, q);
  // A password may hold '@' or '/' unescaped: the user-info ends at the last '@' before the query.
  const at = beforeQuery.lastIndexOf('@');
  const userInfo = at < 0 ? '' : beforeQuery.slice(0, at);
  const colon = userInfo.indexOf(':');
  const query =
    q < 0
      ? []
      : body
          .slice(q + 1)
          .split('&')
          .filter((p) => p !== '')
          .map((p) => {
            const eq = p.indexOf('=');
            return eq < 0 ? { name: p, value: null } : { name: p.slice(0, eq), value: p.slice(eq + 1) };
          });
  return {
    scheme,
    hasUserInfo: at >= 0,
    user: colon < 0 ? userInfo : userInfo.slice(0, colon),
    password: at < 0 || colon < 0 ? null : userInfo.slice(colon + 1),
    rest: at < 0 ? beforeQuery : beforeQuery.slice(at + 1),
    query,
  };
}

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

const shown = (name: string): boolean => SHOWN_PARAMETERS.has(decoded(name).toLowerCase());

/**
 * A store location fit to show: for a PostgreSQL URL, the user-info password and the value of
 * every query parameter not known to be harmless (password, sslpassword, sslkey, sslcert, …)
 * become `***`. A SQLite path is shown as given.
 */
export function redactLocation(spec: string): string {
  if (!URL_PREFIX.test(spec)) return spec;
  const p = partsOf(spec);
  const user = p.password === null ? p.user : `${p.user}:***`;
  const query = p.query.map((x) => {
    if (x.value === null) return x.name;
    return shown(x.name) ? `${x.name}=${x.value}` : `${x.name}=***`;
  });
  return `${p.scheme}${p.hasUserInfo ? `${user}@` : ''}${p.rest}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}

/** The secret strings of a store location (as written and URL-decoded), for scrubbing other text. */
export function secretsOf(spec: string): string[] {
  if (!URL_PREFIX.test(spec)) return [];
  const p = partsOf(spec);
  const raw = [p.password, ...p.query.filter((x) => x.value !== null && !shown(x.name)).map((x) => x.value)];
  const secrets = new Set<string>();
  for (const s of raw) {
    if (s === null || s === '') continue;
    secrets.add(s);
    secrets.add(decoded(s));
  }
  return [...secrets];
}

/**
 * `text` with every occurrence of the location and of its secrets replaced (the location by its
 * redacted form, secrets by `***`): driver errors may echo either.
 */
export function scrubSecrets(text: string, spec: string, minSecretChars = 1): string {
  if (!URL_PREFIX.test(spec)) return text;
  let out = text.split(spec).join(redactLocation(spec));
  for (const s of secretsOf(spec).sort((a, b) => b.length - a.length)) {
    if (s.length >= minSecretChars) out = out.split(s).join('***');
  }
  return out;
}
