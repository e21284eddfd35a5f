// Microsoft Graph application permissions (app role assignments) for the Function App's managed identity, with the
// Microsoft Graph Bicep extension (alias microsoftGraphV1 in bicepconfig.json). The deployer needs the right to
// grant app roles (Privileged Role Administrator or Global Administrator); main.bicep skips this module when
// grantGraphPermissions is false, and docs/deployment.md ("Manual consent") shows the same grants by hand.
extension microsoftGraphV1

@description('Object id of the managed identity\'s service principal (the identity\'s principal id).')
param principalId string

@description('Graph application permissions (app role values), e.g. Group.Read.All.')
param permissions array

// Microsoft Graph's well-known application id, the same in every tenant.
var microsoftGraphAppId = '00000003-0000-0000-c000-000000000000'

resource microsoftGraph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: microsoftGraphAppId
}

// App role ids are looked up by their value, so the template carries names, not opaque ids.
resource grants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for permission in permissions: {
    appRoleId: filter(microsoftGraph.appRoles, role => role.value == permission)[0].id
    principalId: principalId
    resourceId: microsoftGraph.id
  }
]

@description('The permissions granted.')
output granted array = permissions
