import { Anchor, AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { Link, NavLink as RouterNavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useIsAdmin, useSession } from '../auth/session';
import { adminNav } from './admin-routes';
import { builderNavItem } from './builder-routes';
import { useBuilderAccess } from '../features/builder/queries';
import { supabase } from '../auth/supabase';
import { describeError } from '../api/errors';

// Account (web branch): after the portal's own entries.
const accountNav = [{ to: '/account', label: 'Account', hint: 'Password, sessions, your data' }];

const nav = [
  { to: '/services', label: 'Services', hint: 'Connect your accounts' },
  { to: '/marketplace', label: 'Marketplace', hint: 'Find and install services' },
  { to: '/api-keys', label: 'API keys', hint: 'Keys for your MCP clients' },
  { to: '/connect', label: 'Connect a client', hint: 'Ready-to-paste configuration' },
  { to: '/connected-apps', label: 'Connected apps', hint: 'Clients signed in by OAuth' },
  { to: '/playground', label: 'Playground', hint: 'Call a tool from the browser' },
  { to: '/activity', label: 'Activity', hint: 'Your requests and usage' },
  { to: '/provider', label: 'Provide services', hint: 'Publish on the marketplace' },
];

export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure();
  const session = useSession();
  const isAdmin = useIsAdmin();
  const navigate = useNavigate();
  const location = useLocation();
  // The builder: admins always; users when the operator allows it (the API's answer says).
  const canBuild = useBuilderAccess(!isAdmin).data === true || isAdmin;
  const signOut = async () => {
    const { error } = await supabase.auth.signOut({ scope: 'local' });
    if (error) {
      notifications.show({ color: 'red', title: 'Sign-out failed', message: describeError(error) });
      return;
    }
    navigate('/sign-in', { replace: true });
  };
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <Anchor href="#main" className="skip-link">
        Skip to content
      </Anchor>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close the menu' : 'Open the menu'} />
            <Anchor component={Link} to="/services" underline="never" c="inherit">
              <Title order={2} size="h4">
                MCP Online Platform
              </Title>
            </Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" c="dimmed" visibleFrom="sm" data-testid="signed-in-email">
              {session?.user.email}
            </Text>
            <Button variant="default" size="xs" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      {/* Scrolls when the portal and admin links are taller than the window. */}
      <AppShell.Navbar p="xs" style={{ overflowY: 'auto' }}>
        <nav aria-label="Portal">
          {[...nav, ...(canBuild ? [builderNavItem] : []), ...accountNav].map((item) => (
            <NavLink key={item.to} component={RouterNavLink} to={item.to} active={location.pathname.startsWith(item.to)} label={item.label} description={item.hint} onClick={close} />
          ))}
        </nav>
        {/* --- admin dashboard navigation: admins only (the server refuses the rest anyway) --- */}
        {isAdmin && (
          <nav aria-label="Administration">
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mt="md" mb={4}>
              Administration
            </Text>
            {adminNav.map((item) => (
              <NavLink
                key={item.to}
                component={RouterNavLink}
                to={item.to}
                end={item.exact}
                active={item.exact ? location.pathname === item.to : location.pathname.startsWith(item.to)}
                label={item.label}
                description={item.hint}
                onClick={close}
              />
            ))}
          </nav>
        )}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
