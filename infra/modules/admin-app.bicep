// The admin API's app registration (Microsoft Graph Bicep extension): admins sign in with Entra ID and call the
// API with a token for this application; its app roles say what they may do. Writeback.Admin changes things
// (settings, approvals, resync), Writeback.Read only looks. Assign the roles to users or groups in the
// enterprise application (docs/deployment.md, "Admin sign-in"). Assignment is required, so a user of the
// tenant without a role gets no token for the API at all. The status page signs in as this same application
// (its single-page app redirect URI), so it needs no registration of its own.
extension microsoftGraphV1

@description('Unique name of the app registration (makes the deployment idempotent).')
param uniqueName string

@description('Display name in the Entra admin center.')
param displayName string

@description('URL of the status page (https://<function app host>/api/ui/): it signs admins in as this application, a single-page app (authorization code flow with PKCE), and Entra ID sends the answer only to this redirect URI.')
param statusPageUrl string

// Stable ids per app: a redeployment keeps the roles (and every assignment made to them).
var adminRoleId = guid(uniqueName, 'Writeback.Admin')
var readRoleId = guid(uniqueName, 'Writeback.Read')
var identifierUri = 'api://${tenant().tenantId}/${uniqueName}'
// gwb, the admin command line, signs admins in through the Azure CLI's public client (az login, or a device
// code with the same client id): the API pre-authorizes it for its one delegated scope, so no consent is
// asked for; the app roles still decide who may do what (docs/admin.md, "Sign-in").
var azureCliAppId = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
var userImpersonationId = guid(uniqueName, 'user_impersonation')

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  identifierUris: [
    identifierUri
  ]
  api: {
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      {
        id: userImpersonationId
        value: 'user_impersonation'
        type: 'User'
        adminConsentDisplayName: 'Use the group writeback admin API'
        adminConsentDescription: 'Call the group writeback admin API as the signed-in admin; their app role decides what they may do.'
        userConsentDisplayName: 'Use the group writeback admin API'
        userConsentDescription: 'Call the group writeback admin API as you; your app role decides what you may do.'
        isEnabled: true
      }
    ]
    preAuthorizedApplications: [
      {
        appId: azureCliAppId
        delegatedPermissionIds: [
          userImpersonationId
        ]
      }
    ]
  }
  spa: {
    redirectUris: [
      statusPageUrl
    ]
  }
  appRoles: [
    {
      id: adminRoleId
      value: 'Writeback.Admin'
      displayName: 'Group writeback administrator'
      description: 'Change settings, approve held deletions, resync and sync groups, resubmit dead letters.'
      allowedMemberTypes: [
        'User'
      ]
      isEnabled: true
    }
    {
      id: readRoleId
      value: 'Writeback.Read'
      displayName: 'Group writeback reader'
      description: 'Read group status, held changes, relays and settings.'
      allowedMemberTypes: [
        'User'
      ]
      isEnabled: true
    }
  ]
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: app.appId
  appRoleAssignmentRequired: true
}

@description('Client id: the audience of v2 tokens.')
output appId string = app.appId

@description('Application ID URI: the audience of v1 tokens and the scope prefix clients ask for.')
output identifierUri string = identifierUri
