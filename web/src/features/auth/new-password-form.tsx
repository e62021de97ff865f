import { Alert, Button, PasswordInput, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { supabase } from '../../auth/supabase';
import { authErrorMessage } from './auth-errors';

const MIN_LENGTH = 10; // AUTH_PASSWORD_MIN_LENGTH's default; the server's answer is what counts.

/**
 * New password, typed twice, saved with PUT /auth/v1/user (supabase.auth.updateUser). The server
 * applies the password policy and signs out every other session.
 */
export function NewPasswordForm({ submitLabel, onSaved }: { submitLabel: string; onSaved: () => void }) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const mismatch = repeat.length > 0 && repeat !== password;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== repeat) return;
    setBusy(true);
    setError(undefined);
    const { error: failed } = await supabase.auth.updateUser({ password });
    setBusy(false);
    if (failed) {
      setError(authErrorMessage(failed));
      return;
    }
    setPassword('');
    setRepeat('');
    onSaved();
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label="Set a new password">
      <Stack gap="sm">
        {error && (
          <Alert color="red" role="alert" title="The password was not changed">
            {error}
          </Alert>
        )}
        <PasswordInput
          label="New password"
          description={`At least ${MIN_LENGTH} characters; not your email, not a common password.`}
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
        <PasswordInput
          label="Repeat the new password"
          autoComplete="new-password"
          required
          value={repeat}
          error={mismatch ? 'The two passwords differ.' : undefined}
          onChange={(e) => setRepeat(e.currentTarget.value)}
        />
        <Button type="submit" loading={busy} disabled={!password || password !== repeat}>
          {submitLabel}
        </Button>
      </Stack>
    </form>
  );
}
