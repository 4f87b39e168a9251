// How the editor names the roles of a workspace's members.
import type { Role } from '@bundles/shared';

export const roleLabels: Record<Role, string> = { viewer: 'Viewer', editor: 'Editor', admin: 'Admin', owner: 'Owner' };
