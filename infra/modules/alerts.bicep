// Alerts the admin must see without looking: dead-lettered messages (dead-letter queues never clean themselves)
// and relay silence (the writeback queue holds messages and never drains: the relay is down, cannot reach Service
// Bus, or falls hopelessly behind), as metric alerts on Service Bus; and, as log search alerts on the product's
// own log lines in Application Insights (pino's JSON line is each record's message, whichever way it got there:
// functions/log-sinks.ts, functions/telemetry.ts): change sets that did not land, change sets held by the
// deletion guard, subscription errors, and change sets no result came back for. test/unit/infra-alerts.test.ts
// checks that every log line a query names is one the code writes. Optional e-mail action group.

@description('Resource token (names).')
param resourceToken string

@description('Tags (azd-env-name).')
param tags object

@description('Service Bus namespace name.')
param serviceBusNamespaceName string

@description('Queue name: writeback.')
param writebackQueueName string

@description('Window in which the writeback queue must have drained at least once.')
param relaySilenceWindow string

@description('E-mail address for alerts. Empty: no action group.')
param alertEmail string

@description('Region of the log search alert rules (that of Application Insights).')
param location string

@description('Resource id of Application Insights: the scope of the log search alerts.')
param appInsightsResourceId string

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-writeback-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'writeback'
    enabled: true
    emailReceivers: [
      {
        name: 'admin'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = empty(alertEmail)
  ? []
  : [
      {
        actionGroupId: actionGroup.id
      }
    ]

// Log search alerts name their action groups differently from metric alerts.
var logAlertActions = {
  actionGroups: empty(alertEmail) ? [] : [actionGroup.id]
}

// The product's log lines: pino's JSON line is the message of each record in `traces`.
var productLogs = 'traces | extend log = parse_json(message)'

// relaySilenceWindow as a KQL timespan.
var relaySilenceKql = {
  PT1H: '1h'
  PT6H: '6h'
  PT12H: '12h'
  PT24H: '24h'
}[relaySilenceWindow]

var logAlerts = [
  {
    name: 'change-sets-not-landed-${resourceToken}'
    displayName: 'Change sets did not land'
    description: 'A change set failed or never reported back; the product asks for the group\'s full state itself. Look at GET /api/status?state=failed and the dead-letter reasons; see docs/operations.md, "After a change set did not land".'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    query: '${productLogs} | where tostring(log.msg) in ("change set did not land; the group\'s full state is requested", "change sets did not land; full states requested")'
  }
  {
    name: 'change-sets-held-${resourceToken}'
    displayName: 'Change sets held by the deletion guard'
    description: 'Mass deletions or member removals wait for an admin: review GET /api/held and approve; see docs/operations.md, "Routine actions".'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    query: '${productLogs} | where tostring(log.msg) == "change set held by the deletion guard: it waits for an admin"'
  }
  {
    name: 'subscription-errors-${resourceToken}'
    displayName: 'Graph subscription errors'
    description: 'The subscriptions timer or the lifecycle webhook failed (Graph permissions, Graph outage, handshake): notifications may be missing until it recovers; the safety net keeps rounds going. See docs/operations.md.'
    severity: 1
    frequency: 'PT15M'
    window: 'PT15M'
    query: '${productLogs} | where toint(log.level) >= 50 and tostring(log.fn) in ("subscriptions", "graphLifecycle")'
  }
  {
    name: 'relay-no-results-${resourceToken}'
    displayName: 'No results from the relay'
    description: 'Change sets went out more than ${relaySilenceKql} ago and no result has come back since: is the relay running, can it reach Service Bus and a domain controller? See docs/deployment.md, "Alerts".'
    severity: 1
    frequency: 'PT15M'
    window: 'P2D'
    query: '${productLogs} | extend sent = tostring(log.msg) == "delta round done" and toint(log.messagesSent) > 0, answered = tostring(log.msg) in ("result recorded", "result older than the recorded one (or a refused stale change set); ignored") | where sent or answered | summarize lastSent = maxif(timestamp, sent), lastResult = maxif(timestamp, answered) | where isnotnull(lastSent) and lastSent < ago(${relaySilenceKql}) and (isnull(lastResult) or lastResult < lastSent)'
  }
]

// One time series per queue (EntityName = *): the alert names the queue whose dead-letter queue is not empty.
resource deadLettered 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'dead-lettered-messages-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    description: 'A queue has dead-lettered messages (poison change sets, expired messages). Inspect and resubmit or purge them; see docs/deployment.md.'
    severity: 2
    enabled: true
    scopes: [
      serviceBus.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'dead-lettered'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: actions
  }
}

// ActiveMessages never reached 0 during the whole window: nobody took the change sets. A live relay drains the
// queue within minutes; a backlog that lasts the window is worth a look too.
resource relaySilent 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'relay-silent-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    description: 'The writeback queue did not drain during ${relaySilenceWindow}: is the relay running and allowed to receive? See docs/deployment.md.'
    severity: 1
    enabled: true
    scopes: [
      serviceBus.id
    ]
    // Hourly: windows of 6 hours and more only allow hourly evaluation.
    evaluationFrequency: 'PT1H'
    windowSize: relaySilenceWindow
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'writeback-never-drained'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'ActiveMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                writebackQueueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Minimum'
        }
      ]
    }
    actions: actions
  }
}

resource logAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in logAlerts: {
    name: alert.name
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: alert.displayName
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        appInsightsResourceId
      ]
      evaluationFrequency: alert.frequency
      windowSize: alert.window
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: logAlertActions
    }
  }
]
