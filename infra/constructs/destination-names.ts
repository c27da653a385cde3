/** The stack output prefix of a destination's resources, e.g. "ops-webhook" -> DestinationOpsWebhook (outputs are alphanumeric). */
export const destinationOutputKey = (destinationId: string): string =>
  `Destination${destinationId
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}`;
