'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '../../../../trpc/client';

export function SessionsCard({ sessions }: { sessions: number }) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const end = useMutation(
    trpc.account.signOutEverywhere.mutationOptions({ onSuccess: () => window.location.assign('/signin') }),
  );
  return (
    <section className="card danger-zone" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      <p className="muted">
        You are signed in on {sessions === 1 ? 'one browser' : `${sessions} browsers`}. Signing out everywhere
        ends all of them, this one too, within seconds.
      </p>
      {confirming ? (
        <div className="confirm">
          <button
            type="button"
            className="danger"
            disabled={end.isPending || end.isSuccess}
            onClick={() => end.mutate()}
          >
            {end.isPending ? 'Signing out…' : 'Yes, sign out everywhere'}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Sign out everywhere
        </button>
      )}
      <FormMessage message={formError(end.error)} />
    </section>
  );
}

/** Platform administrators: end every session of another user (a stolen cookie, someone leaving). */
export function EndUserSessionsCard() {
  const trpc = useTRPC();
  const [email, setEmail] = useState('');
  const end = useMutation(trpc.account.endUserSessions.mutationOptions());
  const errors = fieldErrors(end.error);
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    end.mutate({ email });
  }
  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="end-sessions-heading">
      <h2 id="end-sessions-heading">Sign a user out everywhere</h2>
      <p className="muted">Platform administrators only. The user can sign in again with their password.</p>
      <Field
        id="end-sessions-email"
        label="User's email address"
        type="email"
        autoComplete="off"
        value={email}
        error={errors.email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <FormMessage message={formError(end.error)} />
      <button type="submit" className="danger" disabled={end.isPending}>
        {end.isPending ? 'Signing out…' : 'End their sessions'}
      </button>
      {end.isSuccess ? (
        <p className="saved" role="status">
          Ended {end.data.endedSessions} session(s) of {end.data.email}.
        </p>
      ) : null}
    </form>
  );
}
