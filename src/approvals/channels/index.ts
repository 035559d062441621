// Approval notification channels (webhook, Slack, Teams) and the Slack interactions endpoint.
export { channelSchema, webhookChannelSchema, type ChannelConfig, type SlackChannelConfig, type TeamsChannelConfig, type WebhookChannelConfig } from './schema.js';
export { createNotifier, renderFor, type Notifier, type NotifierOptions, type NotifyOutcome } from './notifier.js';
export { DEFAULT_BACKOFF, type Backoff } from './deliver.js';
export { renderAlert, type Alert } from './alert-message.js';
export { APPROVAL_EVENTS, approveUrl, channelLabel, type ApprovalEvent } from './summary.js';
export { SLACK_APPROVE_ACTION, SLACK_DENY_ACTION, slackMessage } from './slack-message.js';
export { teamsMessage, ADAPTIVE_CARD_CONTENT_TYPE } from './teams-card.js';
export { webhookBody } from './webhook-payload.js';
export { verifySlackSignature, signSlackRequest, SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER } from './slack-signature.js';
export { handleSlackInteraction, slackChannels, type SlackAnswer, type SlackInteractionOptions, type SlackReply, type SlackVoter } from './slack-interactions.js';
