import { Alert, Anchor, Button, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { LoadingState } from '../../components/states';
import { AuthCard } from './auth-card';
import { authErrorMessage } from './auth-errors';
import { forgetLinkToken, readLinkToken, verifyLinkToken } from './email-link';

type State = { step: 'checking' } | { step: 'done' } | { step: 'failed'; message: string };

/** Where the confirmation mail's link lands (AUTH_EMAIL_CONFIRM): confirms the address and signs in. */
export default function ConfirmEmailPage() {
  const [token] = useState(() => readLinkToken('signup'));
  const [state, setState] = useState<State>(() =>
    token ? { step: 'checking' } : { step: 'failed', message: 'This page needs the link from the confirmation mail. Open the link from the mail again.' },
  );

  useEffect(() => {
    forgetLinkToken();
    if (!token) return;
    let active = true;
    void verifyLinkToken('signup', token).then(({ error }) => {
      if (active) setState(error ? { step: 'failed', message: authErrorMessage(error) } : { step: 'done' });
    });
    return () => {
      active = false;
    };
  }, [token]);

  return (
    <AuthCard
      title="Confirm your email"
      lead="One step to finish creating your account."
      footer={
        <Anchor component={Link} to="/sign-in">
          Sign in
        </Anchor>
      }
    >
      {state.step === 'checking' ? (
        <LoadingState label="Checking the link…" />
      ) : state.step === 'failed' ? (
        <Alert color="red" role="alert" title="The address was not confirmed">
          {state.message} If it was already confirmed, sign in.
        </Alert>
      ) : (
        <Alert color="teal" title="Email confirmed" role="status">
          <Stack gap={6}>
            <Text size="sm">Your account is ready and you are signed in.</Text>
            <Button component={Link} to="/services" size="xs">
              Go to your services
            </Button>
          </Stack>
        </Alert>
      )}
    </AuthCard>
  );
}
