/** Shown above the submit button when the server rejected individual fields (each shows its own). */
export const FIX_FIELDS = 'Some fields need attention: see the messages next to them.';
