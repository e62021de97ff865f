import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';

/** The frame of the sign-in and sign-up pages. */
export function AuthCard({ title, lead, children, footer }: { title: string; lead: string; children: ReactNode; footer: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · MCP Online Platform`;
  }, [title]);
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack gap="md">
          <div>
            <Text size="sm" c="dimmed" fw={600}>
              MCP Online Platform
            </Text>
            <Title order={1} size="h2">
              {title}
            </Title>
            <Text size="sm" c="dimmed" mt={4}>
              {lead}
            </Text>
          </div>
          {children}
          <Text size="sm" ta="center">
            {footer}
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}

