import { AccountClient, GetAlternateContactCommand, GetContactInformationCommand } from '@aws-sdk/client-account';
import { type AlternateContact, API, type ContactInformation, type PayerEvidence } from '@payerguard/core';
import { capture, errorCodeOf, MalformedAnswer } from '../aws/call.js';
import { payerClient } from '../aws/clients.js';
import { type CollectorContext, singleBudget } from './context.js';

const CONTACT_TYPES = ['BILLING', 'SECURITY', 'OPERATIONS'] as const;

/** The payer's primary contact and its three alternate contacts (a missing alternate contact is data: null). */
export async function collectAccount(ctx: CollectorContext): Promise<NonNullable<PayerEvidence['account']>> {
  const client = payerClient(AccountClient, ctx);

  const contact = capture<ContactInformation>(
    API.getContactInformation,
    singleBudget(ctx),
    async (abortSignal, ids) => {
      const out = await client.send(new GetContactInformationCommand({}), { abortSignal });
      ids.add(out);
      const c = out.ContactInformation;
      if (!c || typeof c.FullName !== 'string')
        throw new MalformedAnswer('GetContactInformation answered without a contact');
      return {
        fullName: c.FullName,
        ...(c.CompanyName ? { companyName: c.CompanyName } : {}),
        ...(c.AddressLine1 ? { addressLine1: c.AddressLine1 } : {}),
        ...(c.City ? { city: c.City } : {}),
        ...(c.CountryCode ? { countryCode: c.CountryCode } : {}),
        ...(c.PhoneNumber ? { phoneNumber: c.PhoneNumber } : {}),
        ...(c.WebsiteUrl ? { websiteUrl: c.WebsiteUrl } : {}),
      };
    },
  );

  const alternates = CONTACT_TYPES.map((type) =>
    capture<AlternateContact | null>(API.getAlternateContact, singleBudget(ctx), async (abortSignal, ids) => {
      try {
        const out = await client.send(new GetAlternateContactCommand({ AlternateContactType: type }), { abortSignal });
        ids.add(out);
        const a = out.AlternateContact;
        if (!a) throw new MalformedAnswer(`GetAlternateContact ${type} answered without a contact`);
        return {
          type,
          name: a.Name ?? '',
          ...(a.Title ? { title: a.Title } : {}),
          emailAddress: (a.EmailAddress ?? '').toLowerCase(),
          ...(a.PhoneNumber ? { phoneNumber: a.PhoneNumber } : {}),
        };
      } catch (err) {
        // AWS says "not set" with ResourceNotFoundException: that is an answer (no contact), not a failure.
        if (errorCodeOf(err) === 'ResourceNotFoundException') return null;
        throw err;
      }
    }),
  );

  const [contactInformation, [BILLING, SECURITY, OPERATIONS]] = await Promise.all([contact, Promise.all(alternates)]);
  return {
    contactInformation,
    alternateContacts: { BILLING: BILLING!, SECURITY: SECURITY!, OPERATIONS: OPERATIONS! },
  };
}
