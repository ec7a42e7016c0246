/** An invitation link that leads nowhere (replaced, revoked or mistyped), and what to do about it. */
export function InvalidInvitation() {
  return (
    <p className="form-error" role="alert">
      This invitation link is not valid. It may have been replaced by a newer invitation or revoked; ask for a
      new one.
    </p>
  );
}
