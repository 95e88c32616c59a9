// The signed-in layout: a header with who is signed in and "Sign out", the navigation,
// and the page the hash route names.
import { api, unwrap } from './api/client';
import { signedInAs, signOut } from './auth/session';
import { LoadState, useLoad } from './components/feedback';
import { PageTitle } from './components/layout';
import { AuditLog } from './pages/audit';
import { ClientEdit, ClientList, ClientNew } from './pages/clients';
import { GroupEdit, GroupList, GroupNew } from './pages/groups';
import { SessionList } from './pages/sessions';
import { SigningKeys } from './pages/signing-keys';
import { SocialLoginKeyEdit, SocialLoginKeyList, SocialLoginKeyNew } from './pages/social-login-keys';
import { UserEdit, UserList, UserNew } from './pages/users';
import { href, type Route, useRoute } from './router';

const SECTIONS = [
  { path: 'social-login-keys', label: 'Social login keys' },
  { path: 'clients', label: 'Clients' },
  { path: 'users', label: 'Users' },
  { path: 'groups', label: 'Groups' },
  { path: 'keys', label: 'Signing keys' },
  { path: 'sessions', label: 'Sessions' },
  { path: 'audit', label: 'Audit log' },
] as const;

export function Shell() {
  const route = useRoute();
  const me = useLoad(() => unwrap(api.GET('/me')), []);
  const section = sectionOf(route.path[0]);
  const who = me.data ? (me.data.username ?? me.data.subject) : signedInAs();

  return (
    <>
      <a class="skip" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href([])}>
          hub <span>admin</span>
        </a>
        <div class="who">
          {who && (
            <span>
              Signed in as <strong>{who}</strong>
            </span>
          )}
          <button type="button" class="secondary small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div class="layout">
        <nav class="sidenav" aria-label="Sections">
          <ul>
            {SECTIONS.map((item) => (
              <li key={item.path}>
                <a href={href([item.path])} aria-current={section === item.path ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {/* Pages wait for /me, so a refused user never sees a half-loaded admin page. */}
          {me.data ? <Page route={route} /> : <LoadState error={me.error} onRetry={me.reload} />}
        </main>
      </div>
    </>
  );
}

/** The navigation entry a route belongs to: `client/<id>` is under Clients. */
function sectionOf(first: string | undefined): string {
  if (first === undefined) return SECTIONS[0].path;
  return SECTIONS.find((item) => item.path === first || item.path === `${first}s`)?.path ?? first;
}

/** The skip link must not change the hash: that is the router's. */
function skipToMain(event: MouseEvent) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

/**
 * Lists and creation live at the plural (`#/clients`, `#/clients/new`), one item at the
 * singular (`#/client/<client_id>`), so no identifier can collide with `new`.
 */
function Page({ route }: { route: Route }) {
  const [section = SECTIONS[0].path, id, extra] = route.path;
  const query = route.query;
  if (extra !== undefined) return <NotFound />;
  if (id === undefined) {
    switch (section) {
      case 'social-login-keys':
        return <SocialLoginKeyList query={query} />;
      case 'clients':
        return <ClientList query={query} />;
      case 'users':
        return <UserList query={query} />;
      case 'groups':
        return <GroupList query={query} />;
      case 'keys':
        return <SigningKeys />;
      case 'sessions':
        return <SessionList query={query} />;
      case 'audit':
        return <AuditLog query={query} />;
      default:
        return <NotFound />;
    }
  }
  const isList = SECTIONS.some((item) => item.path === section);
  switch (`${section}/${isList ? id : ':id'}`) {
    case 'social-login-keys/new':
      return <SocialLoginKeyNew />;
    case 'social-login-key/:id':
      return <SocialLoginKeyEdit key={id} slug={id} />;
    case 'clients/new':
      return <ClientNew />;
    case 'client/:id':
      return <ClientEdit key={id} clientId={id} />;
    case 'users/new':
      return <UserNew />;
    case 'user/:id':
      return <UserEdit key={id} id={id} />;
    case 'groups/new':
      return <GroupNew />;
    case 'group/:id':
      return <GroupEdit key={id} id={id} />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  return (
    <>
      <PageTitle title="Page not found" />
      <p>
        There is no such page. <a href={href([])}>Go to the start</a>.
      </p>
    </>
  );
}
