import { Type } from 'typebox';
import { DateTime, Nullable, Role, ref } from './common.js';

/** server/src/users.ts UserView. */
export const UserAccount = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Nullable(Type.String()),
    role: ref(Role),
    partnerId: Nullable(Type.String()),
    disabled: Type.Boolean(),
    createdAt: DateTime(),
    lastLoginAt: Nullable(DateTime()),
    lockedUntil: Nullable(DateTime()),
  },
  { $id: 'UserAccount' },
);

export const UserList = Type.Object({ users: Type.Array(ref(UserAccount)) }, { $id: 'UserList' });

export const Token = Type.Object(
  {
    id: Type.String(),
    userId: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: 'the first characters of the token, to recognise it' }),
    createdAt: DateTime(),
    lastUsedAt: Nullable(DateTime()),
    expiresAt: Nullable(DateTime()),
    revokedAt: Nullable(DateTime()),
  },
  { $id: 'Token' },
);

export const TokenList = Type.Object({ tokens: Type.Array(ref(Token)) }, { $id: 'TokenList' });

export const TokenCreated = Type.Object(
  { ...Token.properties, token: Type.String({ description: 'the token itself: in this answer only' }) },
  { $id: 'TokenCreated' },
);

export const userSchemas = [UserAccount, UserList, Token, TokenList, TokenCreated];
