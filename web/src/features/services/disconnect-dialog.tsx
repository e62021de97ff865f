import { notifications } from '@mantine/notifications';
import type { UseMutationResult } from '@tanstack/react-query';
import { describeError } from '../../api/errors';
import { ConfirmDialog } from '../../components/confirm-dialog';
import type { Service } from './queries';

/**
 * "Disconnect <service>?" for what a user connected (stored credentials, an OAuth account): says
 * what is deleted, runs the mutation, and tells the outcome (the refusal also inside the dialog).
 */
export function DisconnectDialog<T>({
  service,
  opened,
  onClose,
  disconnect,
  effect,
  doneMessage,
}: {
  service: Service;
  opened: boolean;
  onClose: () => void;
  disconnect: UseMutationResult<T, Error, void>;
  /** What disconnecting does, in a sentence. */
  effect: string;
  /** The notification's text once it is done. */
  doneMessage: string;
}) {
  return (
    <ConfirmDialog
      opened={opened}
      title={`Disconnect ${service.title}?`}
      confirmLabel="Disconnect"
      cancelLabel="Keep"
      pending={disconnect.isPending}
      error={disconnect.error}
      errorTitle="Could not disconnect"
      onClose={onClose}
      onConfirm={() =>
        disconnect.mutate(undefined, {
          onSuccess: () => {
            onClose();
            notifications.show({ title: `${service.title} disconnected`, message: doneMessage });
          },
          onError: (e) => notifications.show({ color: 'red', title: 'Disconnect failed', message: describeError(e) }),
        })
      }
    >
      {effect}
    </ConfirmDialog>
  );
}
