import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { supabase } from '../../auth/supabase';
import { AuthCard } from './auth-card';
import { authErrorMessage } from './auth-errors';

export default function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const address = email.trim();
    const { error: failed } = await supabase.auth.resetPasswordForEmail(address, { redirectTo: `${window.location.origin}/reset-password` });
    setBusy(false);
    if (failed) {
      setError(authErrorMessage(failed));
      return;
    }
    setSentTo(address);
  };

  return (
    <AuthCard
      title="Reset your password"
      lead="We mail you a link to choose a new password."
      footer={
        <>
          Remembered it?{' '}
          <Anchor component={Link} to="/sign-in">
            Sign in
          </Anchor>
        </>
      }
    >
      {sentTo ? (
        <Alert color="teal" title="Check your inbox" role="status">
          <Stack gap={6}>
            <Text size="sm">
              If an account exists for <strong>{sentTo}</strong>, a link to reset its password is on its way. It works once, for an hour.
            </Text>
            <Text size="sm">No mail after a few minutes? Check the spam folder and the address, then ask again.</Text>
            <Button variant="subtle" size="xs" onClick={() => setSentTo(undefined)}>
              Use another address
            </Button>
          </Stack>
        </Alert>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate aria-label="Ask for a reset link">
          <Stack gap="sm">
            {error && (
              <Alert color="red" role="alert" title="Could not send the link">
                {error}
              </Alert>
            )}
            <TextInput label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <Button type="submit" loading={busy} disabled={!email.trim()}>
              Send the reset link
            </Button>
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}
