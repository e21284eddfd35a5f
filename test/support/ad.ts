// AD fixtures for tests: the same helpers the local stack uses to create on-prem objects.
export * from '../../dev/stack/ad-objects.js';
