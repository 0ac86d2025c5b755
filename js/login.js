// autoRedirect goes to a host's login at most once per page load, and not again while the page
// has not had a successful answer from that host since the last time: if the login does not
// give this page a session (cookies blocked, say), the page does not loop between itself and
// the login. The mark is kept in sessionStorage (per tab); without sessionStorage (a Worker)
// there is no automatic redirect. No dependency.

const REDIRECT_MARK = 'qlik-automl-predictions:login-redirect:';
const redirectedThisLoad = new Set();

function storage() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** Sends the page to `loginUrl` for `host`, unless that would loop; returns whether it did. */
export function redirectToLogin(host, loginUrl) {
  const location = globalThis.location;
  const store = storage();
  if (typeof location?.assign !== 'function' || !store || redirectedThisLoad.has(host)) return false;
  try {
    if (store.getItem(REDIRECT_MARK + host) !== null) return false;
    store.setItem(REDIRECT_MARK + host, new Date().toISOString());
  } catch {
    return false;
  }
  redirectedThisLoad.add(host);
  location.assign(loginUrl);
  return true;
}

/** A successful answer from `host`: a later 401 may redirect to its login again. */
export function answered(host) {
  try {
    storage()?.removeItem(REDIRECT_MARK + host);
  } catch {
    // Nothing to forget.
  }
}
