import { Alert, Anchor, Button, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { LoadingState } from '../../components/states';
import { AuthCard } from './auth-card';
import { authErrorMessage } from './auth-errors';
import { forgetLinkToken, readLinkToken, verifyLinkToken } from './email-link';
import { NewPasswordForm } from './new-password-form';

type State = { step: 'checking' } | { step: 'choose' } | { step: 'failed'; message: string };

/** Where the recovery mail's link lands: the link signs in once, then a new password is chosen. */
export default function ResetPasswordPage() {
  const navigate = useNavigate();
  const [token] = useState(() => readLinkToken('recovery'));
  const [state, setState] = useState<State>(() =>
    token ? { step: 'checking' } : { step: 'failed', message: 'This page needs the link from the reset mail, which was not in the address. Open the link from the mail again, or ask for a new one.' },
  );

  useEffect(() => {
    forgetLinkToken();
    if (!token) return;
    let active = true;
    void verifyLinkToken('recovery', token).then(({ error }) => {
      if (active) setState(error ? { step: 'failed', message: authErrorMessage(error) } : { step: 'choose' });
    });
    return () => {
      active = false;
    };
  }, [token]);

  return (
    <AuthCard
      title="Choose a new password"
      lead="The link from the mail signed you in for this."
      footer={
        <Anchor component={Link} to="/forgot-password">
          Ask for a new reset link
        </Anchor>
      }
    >
      {state.step === 'checking' ? (
        <LoadingState label="Checking the link…" />
      ) : state.step === 'failed' ? (
        <Alert color="red" role="alert" title="The link cannot be used">
          <Stack gap={6}>
            <Text size="sm">{state.message}</Text>
            <Button component={Link} to="/forgot-password" size="xs" variant="light" color="red">
              Ask for a new link
            </Button>
          </Stack>
        </Alert>
      ) : (
        <NewPasswordForm
          submitLabel="Save the new password"
          onSaved={() => {
            notifications.show({ color: 'teal', title: 'Password changed', message: 'Your other sessions were signed out.' });
            navigate('/services', { replace: true });
          }}
        />
      )}
    </AuthCard>
  );
}
