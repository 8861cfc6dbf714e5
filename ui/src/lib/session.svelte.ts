// Who is logged in, for components deep in the tree that show what is theirs (the custodian's
// "acknowledge receipt"). It grants nothing: the backend decides every action again.
import type { Session } from "../bindings/Session";

export const signedIn = $state<{ session: Session | null }>({ session: null });
