// Posts this page's URL (the code, or the hub's error such as login_required) to the
// parent page, which exchanges the code itself; this page never touches a token.
import { userManager } from '/oidc.js';

await userManager.signinSilentCallback();
