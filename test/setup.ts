// One harness for every test file of the project, the destination's own (which import it themselves, so that they
// need nothing outside their folder) and the rest: undeclared outbound requests and declared requests left unsent
// fail the test. See the module for the rules.
import '../src/destinations/qualtrics/__tests__/__helpers__/harness'
