import { Type } from 'typebox';
import { DateTime, Nullable, Role, ref } from './common.js';

export const User = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Nullable(Type.String()),
    role: ref(Role),
    partnerId: Nullable(Type.String({ description: 'set for partner viewers: the only partner they see' })),
  },
  { $id: 'User' },
);

export const LoginResponse = Type.Object(
  {
    user: ref(User),
    csrfToken: Type.String({ description: 'send as x-csrf-token on POST/PUT/PATCH/DELETE' }),
    expiresAt: DateTime(),
  },
  { $id: 'LoginResponse' },
);

export const Me = Type.Object(
  {
    user: ref(User),
    partner: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
    authenticatedBy: Type.Union([Type.Literal('session'), Type.Literal('token')]),
    csrfToken: Type.Optional(Type.String({ description: 'cookie sessions only' })),
    demo: Type.Boolean(),
  },
  { $id: 'Me' },
);

export const DemoLogins = Type.Object(
  {
    password: Type.String({ description: 'the published demo password (demo mode only)' }),
    logins: Type.Array(
      Type.Object({
        email: Type.String(),
        role: ref(Role),
        partnerId: Nullable(Type.String()),
        partnerName: Nullable(Type.String()),
      }),
    ),
  },
  { $id: 'DemoLogins' },
);

export const authSchemas = [User, LoginResponse, Me, DemoLogins];
