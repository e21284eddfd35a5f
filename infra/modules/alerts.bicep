// Alerts the admin must see without looking: dead-lettered messages (dead-letter queues never clean themselves)
// and relay silence (the writeback queue holds messages and never drains: the relay is down, cannot reach Service
// Bus, or falls hopelessly behind). Optional e-mail action group.

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
