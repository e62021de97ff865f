import { Alert, Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { supabase } from '../../auth/supabase';
import { AuthCard } from './auth-card';
import { authErrorMessage } from './auth-errors';

const MIN_LENGTH = 10; // AUTH_PASSWORD_MIN_LENGTH's default; the server's answer is what counts.

export default function SignUpPage() {
  const [confirmTo, setConfirmTo] = useState<string>();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const { data, error: failed } = await supabase.auth.signUp({ email: email.trim(), password });
    setBusy(false);
    if (failed) {
      setError(authErrorMessage(failed));
      return;
    }
    setPassword('');
    // Without email confirmation a session comes back and the route moves on to the portal
    // (app/router.tsx). With it (AUTH_EMAIL_CONFIRM), the mailed link finishes the sign-up.
    if (!data.session) setConfirmTo(email.trim());
  };

  return (
    <AuthCard
      title="Create your account"
      lead="One account for every MCP service on this platform."
      footer={
        <>
          Already have an account?{' '}
          <Anchor component={Link} to="/sign-in">
            Sign in
          </Anchor>
        </>
      }
    >
      {confirmTo ? (
        <Alert color="teal" title="Confirm your email" role="status">
          We sent a link to <strong>{confirmTo}</strong>. Follow it to finish creating your account (it works once, for an hour). No mail? Check the spam
          folder.
        </Alert>
      ) : (
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          {error && (
            <Alert color="red" role="alert" title="Sign-up failed">
              {error}
            </Alert>
          )}
          <TextInput label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput
            label="Password"
            description={`At least ${MIN_LENGTH} characters; not your email, not a common password.`}
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Button type="submit" loading={busy} disabled={!email || !password}>
            Create account
          </Button>
        </Stack>
      </form>
      )}
    </AuthCard>
  );
}
