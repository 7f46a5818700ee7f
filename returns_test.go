package waybill

import "testing"

// TestReturnStateMachine pins every (status, action) pair: the allowed
// ones and where they lead; every other pair is a conflict.
func TestReturnStateMachine(t *testing.T) {
	allowed := map[ReturnStatus]map[ReturnAction]ReturnStatus{
		ReturnSubmitted: {ActionApprove: ReturnApproved, ActionReject: ReturnRejected},
		ReturnApproved:  {ActionShip: ReturnShipped, ActionReceive: ReturnReceived, ActionDeliver: ReturnReceived, ActionExpire: ReturnExpired},
		ReturnShipped:   {ActionReceive: ReturnReceived, ActionDeliver: ReturnReceived},
		ReturnReceived:  {ActionReceive: ReturnReceived, ActionResolve: ReturnResolved},
	}
	actions := []ReturnAction{ActionApprove, ActionReject, ActionShip, ActionReceive, ActionDeliver, ActionResolve, ActionExpire}
	for _, status := range ReturnStatuses {
		for _, action := range actions {
			next, err := status.Next(action)
			want, ok := allowed[status][action]
			switch {
			case ok && (err != nil || next != want):
				t.Errorf("%s + %s = %s, %v; want %s", status, action, next, err, want)
			case !ok && (ErrorCode(err) != ECONFLICT || ErrorReason(err) != ReasonReturnStatus || next != status):
				t.Errorf("%s + %s = %s, %v; want a conflict that keeps the status", status, action, next, err)
			}
		}
		if status.Terminal() != (len(allowed[status]) == 0) {
			t.Errorf("%s: Terminal() = %v", status, status.Terminal())
		}
	}
	if _, err := ReturnSubmitted.Next("teleport"); ErrorCode(err) != EINVALID {
		t.Errorf("unknown action: %v", err)
	}
}
